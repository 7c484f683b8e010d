"""Sphinx configuration of the skmixup documentation.

Build with ``tox -e docs`` (warnings are errors, the gallery runs) or, from an
environment that has the ``docs`` extra, ``make -C docs html``.
"""

import os
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
# The skmixup of this checkout, even when another one is installed.
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(DOCS / "sphinxext"))

import skmixup  # noqa: E402

project = "skmixup"
author = "The skmixup developers"
copyright = "The skmixup developers"
version = release = skmixup.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.extlinks",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = [
    "_build",
    "Thumbs.db",
    ".DS_Store",
    "**.ipynb_checkpoints",
    "auto_examples/*.ipynb",
    "auto_examples/*.py",
    "auto_examples/*.zip",
    "auto_examples/*.md5",
    "auto_examples/*.json",
]
default_role = "literal"

# -- API reference -----------------------------------------------------------
autosummary_generate = True
autodoc_typehints = "none"  # numpydoc's Parameters section says it, once
autodoc_member_order = "groupwise"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
# Parameter types stay plain text: linking them needs every inventory (see
# intersphinx below), and a missing one would turn each type into a warning.
numpydoc_xref_param_type = False

extlinks = {"arxiv": ("https://arxiv.org/abs/%s", "arXiv:%s")}

# -- Links to other projects (intersphinx) -----------------------------------
# A documentation build must pass offline with warnings as errors, and an
# inventory that cannot be fetched is a warning. So inventories are used only
# where they can be had without guessing:
#
# * SKMIXUP_INTERSPHINX=1 fetches each project's objects.inv from its site
#   (needs the network; the build then fails loudly if a site is unreachable);
# * otherwise a file docs/_intersphinx/<name>.inv is used when it is there
#   (download it once with ``make -C docs inventories``), and a project without
#   one gets no links: its names show as plain code, and the build passes.
INTERSPHINX_SITES = {
    "python": "https://docs.python.org/3/",
    "numpy": "https://numpy.org/doc/stable/",
    "sklearn": "https://scikit-learn.org/stable/",
    "torch": "https://docs.pytorch.org/docs/stable/",
    "skorch": "https://skorch.readthedocs.io/en/stable/",
    "pandas": "https://pandas.pydata.org/docs/",
    "matplotlib": "https://matplotlib.org/stable/",
}
INVENTORY_DIR = DOCS / "_intersphinx"


def _intersphinx_mapping():
    online = os.environ.get("SKMIXUP_INTERSPHINX", "0") == "1"
    mapping = {}
    for name, url in INTERSPHINX_SITES.items():
        local = INVENTORY_DIR / f"{name}.inv"
        if online:
            mapping[name] = (url, None)
        elif local.is_file():
            mapping[name] = (url, str(local))
    return mapping


intersphinx_mapping = _intersphinx_mapping()
intersphinx_timeout = 10

# -- Gallery -----------------------------------------------------------------
sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "within_subsection_order": "gallery_order.ExampleOrder",
    "backreferences_dir": "generated/backreferences",
    "doc_module": ("skmixup",),
    "reference_url": {"skmixup": None},
    "remove_config_comments": True,
    "show_memory": False,
    "min_reported_time": 1,
    "matplotlib_animations": False,
    "capture_repr": ("_repr_html_", "__repr__"),
    "image_scrapers": ("matplotlib",),
    "plot_gallery": "True",
    # Fail the build on any example error (sphinx-gallery's default as well).
    "only_warn_on_example_error": False,
}

# -- HTML --------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"skmixup {release}"
html_static_path = ["_static"]
html_css_files = ["custom.css"]
html_theme_options = {
    "navbar_align": "left",
    # Every top-level page in the navigation bar, the results included (not under "More").
    "header_links_before_dropdown": 7,
    "show_toc_level": 2,
    "secondary_sidebar_items": ["page-toc", "sourcelink"],
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version", "theme-version"],
    # No remote logo, font or analytics: the site must also render offline.
    "navigation_with_keys": False,
}
html_sidebars = {"install": [], "user_guide": []}
html_show_sourcelink = False


# -- Inherited scikit-learn docstrings ------------------------------------------
# Estimator pages list the methods inherited from scikit-learn (score,
# get_params, ...), whose docstrings refer to scikit-learn's glossary and user
# guide. Without scikit-learn's inventory those references cannot resolve; show
# them as plain text instead of failing the build. Only references made inside
# scikit-learn's own docstrings are treated so: a broken reference in ours
# still fails.
def _quiet_sklearn_docstring_refs(app, env, node, contnode):
    if "sklearn" in intersphinx_mapping or node.get("refdomain") != "std":
        return None
    if "docstring of sklearn." in (node.source or ""):
        return contnode
    return None


def setup(app):
    app.connect("missing-reference", _quiet_sklearn_docstring_refs)
