"""Score scikit-learn baselines on one split of test/bench/accuracy.sh.

usage: /usr/bin/python3 sklearn_baselines.py KIND TRAIN TEST SEED

KIND is classification or classification_auc (also reports the mean per-task
ROC AUC of the larger label) or regression.  TRAIN and TEST are
tab-separated files of id, task, label and the comma-separated features, as
accuracy.sh exports them.  Prints one line per model, fields separated by "|":
model, mean per-task test error (MSE for regression), mean per-task AUC
(empty unless requested), wall seconds.

Models: "logistic per task" ("ridge per task" for regression) fits one
LogisticRegression (Ridge) on each task's training rows.  "pooled MLP" fits
one MLPClassifier (MLPRegressor) over the features and a one-hot task id,
with scikit-learn's default options except max_iter=1000 (in scikit-learn
1.2: one hidden layer of 100 ReLU units, Adam, L2 penalty 0.0001).
Features are standardised with the training rows' mean and standard
deviation.
"""

import sys
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import roc_auc_score
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.preprocessing import StandardScaler


def read_split(path, regression):
    tasks, labels, rows = [], [], []
    with open(path) as handle:
        for line in handle:
            _, task, label, features = line.rstrip("\n").split("\t")
            tasks.append(task)
            labels.append(float(label) if regression else label)
            rows.append([float(value) for value in features.split(",")])
    return np.array(tasks), np.array(labels), np.array(rows)


def task_scores(kind, positive_label, tasks, labels, predicted, scores):
    """Return the mean over tasks of the error (or MSE) and of the AUC."""
    errors, aucs = [], []
    for task in np.unique(tasks):
        rows = tasks == task
        if kind == "regression":
            errors.append(np.mean((labels[rows] - predicted[rows]) ** 2))
        else:
            errors.append(np.mean(labels[rows] != predicted[rows]))
        # AUC needs both classes among the task's test rows.
        if scores is not None and len(np.unique(labels[rows])) == 2:
            aucs.append(roc_auc_score(labels[rows] == positive_label,
                                      scores[rows]))
    return np.mean(errors), (np.mean(aucs) if aucs else None)


def fit_per_task(kind, positive_label, seed, train, test):
    train_tasks, train_labels, train_x = train
    test_tasks, _, test_x = test
    if kind == "regression":
        predicted = np.empty(len(test_tasks), dtype=float)
    else:
        predicted = np.empty(len(test_tasks), dtype=object)
    scores = None
    if kind == "classification_auc":
        scores = np.zeros(len(test_tasks))
    for task in np.unique(test_tasks):
        fit_rows = train_tasks == task
        rows = test_tasks == task
        classes = np.unique(train_labels[fit_rows])
        if kind == "regression":
            model = Ridge(alpha=1.0)
            model.fit(train_x[fit_rows], train_labels[fit_rows])
            predicted[rows] = model.predict(test_x[rows])
        elif len(classes) == 1:
            # A task with one training class cannot fit a logistic
            # regression, so it predicts that class.
            predicted[rows] = classes[0]
            if scores is not None:
                scores[rows] = 1.0 if classes[0] == positive_label else 0.0
        else:
            model = LogisticRegression(max_iter=1000, random_state=seed)
            model.fit(train_x[fit_rows], train_labels[fit_rows])
            predicted[rows] = model.predict(test_x[rows])
            if scores is not None:
                column = list(model.classes_).index(positive_label)
                scores[rows] = model.predict_proba(test_x[rows])[:, column]
    return predicted, scores


def fit_pooled_mlp(kind, positive_label, seed, train, test):
    train_tasks, train_labels, train_x = train
    test_tasks, _, test_x = test
    task_names = sorted(set(train_tasks))

    def with_task(tasks, x):
        one_hot = np.array([[task == name for name in task_names]
                            for task in tasks], dtype=float)
        return np.hstack([x, one_hot])

    options = dict(max_iter=1000, random_state=seed)
    if kind == "regression":
        model = MLPRegressor(**options)
    else:
        model = MLPClassifier(**options)
    model.fit(with_task(train_tasks, train_x), train_labels)
    predicted = model.predict(with_task(test_tasks, test_x))
    scores = None
    if kind == "classification_auc":
        column = list(model.classes_).index(positive_label)
        scores = model.predict_proba(with_task(test_tasks, test_x))[:, column]
    return predicted, scores


def main():
    # The MLP can stop at max_iter before its tolerance is met.  The report
    # states that limit, so the warning on every run is left out.
    warnings.filterwarnings("ignore", category=ConvergenceWarning)

    if len(sys.argv) != 5:
        sys.exit(__doc__)
    kind, train_path, test_path = sys.argv[1:4]
    seed = int(sys.argv[4])
    if kind not in ("classification", "classification_auc", "regression"):
        sys.exit("sklearn_baselines.py: invalid KIND '%s': expected "
                 "classification, classification_auc or regression" % kind)
    regression = kind == "regression"
    train = read_split(train_path, regression)
    test = read_split(test_path, regression)

    # The positive class of the AUC is the larger label, 1 for Landmine.
    positive_label = None if regression else max(np.unique(train[1]))

    scaler = StandardScaler().fit(train[2])
    train = (train[0], train[1], scaler.transform(train[2]))
    test = (test[0], test[1], scaler.transform(test[2]))

    names = ("ridge per task" if regression else "logistic per task",
             "pooled MLP")
    for name in names:
        start = time.monotonic()
        if name == "pooled MLP":
            predicted, scores = fit_pooled_mlp(kind, positive_label, seed,
                                               train, test)
        else:
            predicted, scores = fit_per_task(kind, positive_label, seed,
                                             train, test)
        seconds = time.monotonic() - start
        error, auc = task_scores(kind, positive_label, test[0], test[1],
                                 predicted, scores)
        print("%s|%.6f|%s|%.2f" % (name, error,
                                       "" if auc is None else "%.6f" % auc,
                                       seconds))


if __name__ == "__main__":
    main()
