"""Answering: the sentence(s) that answer a question with their [n], citations and the evaluation."""
