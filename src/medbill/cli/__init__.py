"""The `medbill` command line: thin commands that parse input, call the library and render the answer."""
