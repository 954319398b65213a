"""Answering: question analysis, candidates, fitted scoring, answer composition (extractive, no LLM)."""
from rag.answer.extractive import ABSTAIN_TEXT, AnswerResult, Evidence, ExtractiveAnswerer, abstain_text

__all__ = ["ABSTAIN_TEXT", "AnswerResult", "Evidence", "ExtractiveAnswerer", "abstain_text"]
