"""FEEL (Friendly Enough Expression Language, DMN chapter 10): parser and interpreter."""
