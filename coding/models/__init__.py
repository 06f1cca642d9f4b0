from .agreements import Agreement, AgreementParty, Article, Chapter
from .codebooks import Codebook, CodebookVersion, Indicator

__all__ = [
    "Agreement",
    "AgreementParty",
    "Article",
    "Chapter",
    "Codebook",
    "CodebookVersion",
    "Indicator",
]
