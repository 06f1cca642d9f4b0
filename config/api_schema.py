"""A drf-spectacular post-processing hook (SPECTACULAR_SETTINGS): the schema says what the API
refuses, so that what it documents as valid is accepted. Every request carrying a NUL character
is refused with a 400 (config.middleware for the address and query, DRF's CharField for bodies),
so every free string in the schema gets a pattern without NUL."""

NO_NUL = "^[^\\x00]*$"


def strings_without_nul(result, generator, request, public):
    def visit(node):
        if isinstance(node, dict):
            if node.get("type") == "string" and not ({"enum", "format", "pattern"} & set(node)):
                node["pattern"] = NO_NUL
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(result.get("paths", {}))
    visit(result.get("components", {}))
    return result
