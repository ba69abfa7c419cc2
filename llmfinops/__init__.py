"""llmfinops: offline FinOps analytics and chargeback for LLM spend."""

__version__ = "0.1.0"
