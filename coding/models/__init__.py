from .agreements import Agreement, AgreementParty, Article, Chapter
from .codebooks import Codebook, CodebookVersion, Indicator
from .codings import Adjudication, Answer, Assignment, Coding, DisagreementType, Evidence, FinalValue
from .jobs import JobStatus, TextImport

__all__ = [
    "Adjudication",
    "Answer",
    "Assignment",
    "Coding",
    "DisagreementType",
    "Evidence",
    "FinalValue",
    "Agreement",
    "AgreementParty",
    "Article",
    "Chapter",
    "Codebook",
    "CodebookVersion",
    "Indicator",
    "JobStatus",
    "TextImport",
]
