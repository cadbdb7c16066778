"""Domain services: plain functions that own the rules and the writes; views only call them."""
