"""xlt: a workbench for zero-shot cross-lingual transfer after English intermediate-task training.

Importing the package is cheap: torch and transformers are imported only by the modules that train or evaluate
(models, training, evaluation, pipeline), never by tasks, config, results or the dashboard.
"""

__version__ = "0.1.0"

import warnings

# tqdm.auto (imported by transformers and datasets) warns in every Jupyter kernel without ipywidgets, then falls back
# to the text bars that xlt uses anyway (they stream from papermill kernels to the terminal and the sweep logs)
warnings.filterwarnings("ignore", message="IProgress not found")
