"""The house style of every chart and map."""
