"""GenAI Challenges Atlas: a knowledge base of the open challenges in generative AI."""
