"""The evaluation harness: question sets in, side-by-side metrics per configuration out."""
