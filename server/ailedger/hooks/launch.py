"""What an installed hook runs: `PYTHON -S .../ailedger/hooks/launch.py record --from TOOL`
(install.py `command_argv`). An agent waits on every before-edit hook, and
most of a hook's start-up is not ailedger's: the `site` module (its .pth
files, setuptools' among them) and pip's console-script wrapper (which loads
`re`). This file skips both: `-S` leaves `site` out, and the folder that holds
the `ailedger` package (site-packages, or the source folder of an editable
install) is found from this file's own path, so no path is written down at
install time and none goes stale.

A before-edit hook needs only the standard library and ailedger. The first
import that is found in neither (an after-edit's pydantic, orjson, ...) runs
`site.main()`, what `site` would have done at start-up, and is looked up again:
everything else works as under the `ailedger` command.
"""

import os
import sys


class _SiteWhenNeeded:
    """Last on sys.meta_path: asked only about a module nothing else found."""

    @classmethod
    def find_spec(cls, name, path=None, target=None):  # type: ignore[no-untyped-def]
        if name.partition(".")[0] in sys.stdlib_module_names:
            return None  # another platform's module, tried and skipped (ntpath's _winapi): not ours to find
        sys.meta_path.remove(cls)
        import site

        site.main()  # documented for interpreters started with -S: adds site-packages, runs their .pth files
        for finder in sys.meta_path:
            find = getattr(finder, "find_spec", None)
            spec = find(name, path, target) if find is not None else None
            if spec is not None:
                return spec
        return None


if __name__ == "__main__":
    # Running a file puts its own folder (ailedger/hooks) first on sys.path: the package's parent instead.
    sys.path[0] = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    sys.meta_path.append(_SiteWhenNeeded)
    from ailedger.cli import main

    sys.argv[0] = "ailedger"
    sys.exit(main())
