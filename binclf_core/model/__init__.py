"""Models and training: the networks, losses, optimizers and schedules, regularization, the training-loop bugs,
the metrics and TrainingRun, one run that trains a few epochs at a time.
"""
