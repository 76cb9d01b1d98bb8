"""The FEEL built-in function library (DMN 1.5, chapter 10.3.4).

Each function is registered with its spec parameter names so that named invocation
works (``substring(string: "abc", start position: 2)``). A trailing ``?`` marks an
optional parameter, a leading ``*`` a variadic one. Wrong argument types give null.
"""

from feeldmn.feel.builtins import (  # noqa: F401 -- each registers its functions, in this order
    contexts,
    conversion,
    external,
    lists,
    numbers,
    ranges,
    strings,
)
from feeldmn.feel.builtins._registry import BUILTINS, builtin
from feeldmn.feel.builtins.external import external_function

__all__ = ["BUILTINS", "builtin", "external_function"]
