from .agreements import Agreement, AgreementParty, Article, Chapter, TextVersion
from .codebooks import Codebook, CodebookVersion, Indicator
from .codings import Adjudication, Answer, Assignment, Coding, DisagreementType, Evidence, FinalValue
from .jobs import Job, JobStatus, TextImport
from .precoder import PrecodeJob, PrecoderModel, PrecoderTrainingJob, Suggestion, SuggestionDisplay

__all__ = [
    "Adjudication",
    "Agreement",
    "AgreementParty",
    "Answer",
    "Article",
    "Assignment",
    "Chapter",
    "Codebook",
    "CodebookVersion",
    "Coding",
    "DisagreementType",
    "Evidence",
    "FinalValue",
    "Indicator",
    "Job",
    "JobStatus",
    "PrecodeJob",
    "PrecoderModel",
    "PrecoderTrainingJob",
    "Suggestion",
    "SuggestionDisplay",
    "TextImport",
    "TextVersion",
]
