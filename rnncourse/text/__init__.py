"""Text applications of chapter 9: corpora, a character language model, sequence labelling and
sequence-to-sequence learning with attention."""
