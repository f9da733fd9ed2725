"""(being written)"""

OPS: list = []
