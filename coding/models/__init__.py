from .agreements import Agreement, AgreementParty, Article, Chapter
from .codebooks import Codebook, CodebookVersion, Indicator
from .jobs import JobStatus, TextImport

__all__ = [
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
