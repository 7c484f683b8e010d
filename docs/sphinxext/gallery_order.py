"""Order of the examples in the gallery: a reading order, then the rest by file name."""

# A new example needs no entry here: unlisted files follow, sorted by name.
READING_ORDER = [
    "plot_toy_decision_boundary.py",
    "plot_calibration.py",
    "plot_tune_alpha.py",
    "plot_pipeline_column_transformer.py",
    "plot_digits_images.py",
    "plot_uci_summary.py",
]


class ExampleOrder:
    """Sort key for sphinx-gallery's ``within_subsection_order``."""

    def __init__(self, src_dir):
        self.src_dir = src_dir

    def __call__(self, filename):
        if filename in READING_ORDER:
            return (READING_ORDER.index(filename), filename)
        return (len(READING_ORDER), filename)

    def __repr__(self):
        return f"{type(self).__name__}()"
