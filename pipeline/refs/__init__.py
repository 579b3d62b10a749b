"""Legal references (``Quyết định 996/QĐ-TTg``) and the relations between documents that they make."""
