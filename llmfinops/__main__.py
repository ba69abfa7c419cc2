"""`python -m llmfinops`: the same as the `llmfinops` command."""

from llmfinops.cli.app import main

main()
