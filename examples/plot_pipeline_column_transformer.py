"""
======================================================
Mixed-type tables: a Pipeline with a ColumnTransformer
======================================================

Real tables mix numbers and categories. A network needs numbers, so the
categories are one-hot encoded and the numbers standardized before mixup sees
them; :class:`~sklearn.compose.ColumnTransformer` does both, and a
:class:`~sklearn.pipeline.Pipeline` keeps that preprocessing inside
cross-validation. mixup then mixes the *encoded* rows: a mixed row of a
``"basic"`` and a ``"pro"`` customer is, for the network, 60% one and 40% the
other in the one-hot columns as in every other column.
"""

# %%
# A DataFrame with numeric and categorical columns
# ------------------------------------------------
# A synthetic table of 2,000 customers of a subscription service, so that the
# example runs offline: whether a customer cancels depends on their plan, their
# region, their monthly bill and how long they have been a customer.
import numpy as np
import pandas as pd

rng = np.random.default_rng(0)
n = 2000
df = pd.DataFrame(
    {
        "tenure_months": rng.integers(1, 72, n),
        "monthly_bill": rng.gamma(4.0, 15.0, n).round(2),
        "support_calls": rng.poisson(1.5, n),
        "plan": pd.Categorical(rng.choice(["basic", "plus", "pro"], n, p=[0.5, 0.3, 0.2])),
        "region": rng.choice(["north", "south", "east", "west"], n),
    }
)
score = (
    -0.04 * df["tenure_months"]
    + 0.02 * df["monthly_bill"]
    + 0.5 * df["support_calls"]
    + df["plan"].map({"basic": 0.8, "plus": 0.0, "pro": -0.8}).astype(float)
    + df["region"].map({"north": 0.0, "south": 0.4, "east": -0.3, "west": 0.0})
)
y = np.where(rng.random(n) < 1 / (1 + np.exp(-score)), "cancels", "stays")
df.head()

# %%
# Preprocessing and the classifier in one pipeline
# ------------------------------------------------
# Categorical columns are picked by dtype. Two details matter for mixup:
#
# * ``OneHotEncoder(sparse_output=False)``: :class:`~skmixup.MixupClassifier`
#   needs a dense array (it moves the data into torch tensors);
# * ``set_output(transform="pandas")`` hands the classifier a DataFrame, so it
#   records the encoded column names in ``feature_names_in_``.
from sklearn.compose import make_column_selector, make_column_transformer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from skmixup import MixupClassifier

preprocess = make_column_transformer(
    (StandardScaler(), make_column_selector(dtype_include="number")),
    (
        OneHotEncoder(sparse_output=False, handle_unknown="ignore"),
        make_column_selector(dtype_exclude="number"),
    ),
).set_output(transform="pandas")

model = make_pipeline(preprocess, MixupClassifier(alpha=0.4, max_epochs=20, random_state=0))
model

# %%
# Fit, then predict for new customers given as a DataFrame
# --------------------------------------------------------
from sklearn.model_selection import train_test_split

df_train, df_test, y_train, y_test = train_test_split(df, y, test_size=0.25, random_state=0)
model.fit(df_train, y_train)
print(f"test accuracy: {model.score(df_test, y_test):.3f}")

clf = model[-1]
print("classes:", clf.classes_)
print("the network's inputs:", *clf.feature_names_in_, sep="\n  ")

new_customers = pd.DataFrame(
    {
        "tenure_months": [2, 60],
        "monthly_bill": [95.0, 40.0],
        "support_calls": [4, 0],
        "plan": ["basic", "pro"],
        "region": ["south", "north"],
    }
)
pd.DataFrame(model.predict_proba(new_customers), columns=clf.classes_, index=["new", "loyal"])

# %%
# mixup against the same pipeline without it
# ------------------------------------------
# Five-fold cross-validation of the same pipeline with ``alpha=0`` (no mixup),
# scored by accuracy and by log loss. The label here is noisy by construction
# (it is drawn from a probability), so no model can be right on every customer.
from sklearn.model_selection import cross_validate

results = {}
for alpha in [0.0, 0.4]:
    model.set_params(mixupclassifier__alpha=alpha)
    results[alpha] = cross_validate(model, df, y, cv=5, scoring=["accuracy", "neg_log_loss"])
    print(
        f"alpha={alpha}: "
        f"accuracy {results[alpha]['test_accuracy'].mean():.3f} "
        f"+/- {results[alpha]['test_accuracy'].std():.3f}, "
        f"log loss {-results[alpha]['test_neg_log_loss'].mean():.3f} "
        f"+/- {results[alpha]['test_neg_log_loss'].std():.3f}"
    )

# %%
# The five folds one by one: each line joins the two pipelines' scores on the
# same fold, so a difference that holds fold after fold can be told from noise.
# The count printed below says on how many folds mixup had the lower log loss.
# On this table (1,600 training rows, a dozen encoded columns, a label drawn
# from a probability) the two pipelines score within noise of each other: the
# means differ by less than their fold-to-fold spread, and neither wins on
# every fold. That is an honest outcome for mixup on a table with little room
# to overfit; the :ref:`user guide <user_guide>` lists where to expect more.
losses = {alpha: -results[alpha]["test_neg_log_loss"] for alpha in results}
lower = int(np.sum(losses[0.4] < losses[0.0]))
print(f"mixup's log loss is lower on {lower} of {len(losses[0.0])} folds")
import matplotlib.pyplot as plt

fig, axes = plt.subplots(1, 2, figsize=(8, 3.5), layout="constrained")
for ax, (key, label, sign) in zip(
    axes, [("test_accuracy", "accuracy", 1), ("test_neg_log_loss", "log loss", -1)]
):
    folds = np.array([sign * results[alpha][key] for alpha in results])
    ax.plot([0, 1], folds, color="gray", marker="o")
    ax.set_xticks([0, 1], [f"alpha={alpha}" for alpha in results])
    ax.set_xlim(-0.3, 1.3)
    ax.set_title(label)
plt.show()

# %%
# Mixing one-hot columns gives rows such as ``plan_basic=0.6, plan_pro=0.4`` that
# no real customer has. The network is trained to answer in between on them,
# which is the same smoothing mixup applies to the numeric columns. Whether that
# helps on a given table is an empirical question: compare with ``alpha=0``, as
# above, before keeping it.
