"""xlt: a workbench for zero-shot cross-lingual transfer after English intermediate-task training.

Importing the package is cheap: torch and transformers are imported only by the modules that train or evaluate
(models, training, evaluation, pipeline), never by tasks, config, results or the dashboard.
"""

__version__ = "0.1.0"
