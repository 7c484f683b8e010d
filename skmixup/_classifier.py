"""MixupClassifier: a scikit-learn classifier trained with mixup."""

from __future__ import annotations

import numbers

import numpy as np
import torch
from sklearn.base import ClassifierMixin
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted

from ._base import BaseNetEstimator
from ._compat import Interval, StrOptions, _fit_context
from ._net import resolve_mix_layer
from ._weights import class_sample_weight

# alpha="auto": the recipe chosen on the tabular suite's selection part (see the tabular
# results page): Beta(2, 2) mixing for the first half of the epochs, then plain ERM.
AUTO_ALPHA = 2.0
AUTO_MIX_FRACTION = 0.5


class MixupClassifier(ClassifierMixin, BaseNetEstimator):
    """Neural network classifier trained with mixup.

    Each training minibatch is replaced by convex combinations of pairs of its
    examples and of their one-hot labels, ``x = lam * x_i + (1 - lam) * x_j``,
    ``y = lam * y_i + (1 - lam) * y_j`` with ``lam ~ Beta(alpha, alpha)``
    (Zhang et al., 2018). Prediction uses the unmixed inputs.

    The network is a :class:`torch.nn.Module` trained through a small
    :class:`skorch.NeuralNet` subclass (:class:`~skmixup._net.MixupNet`), on the
    GPU when one is available.

    Parameters
    ----------
    alpha : float or "auto", default="auto"
        Concentration of the Beta(alpha, alpha) distribution of the mixing
        coefficient: the mixup strength. ``alpha=0`` trains without mixing
        (plain ERM); larger values mix more evenly. ``"auto"``, the default,
        is the recipe chosen on the tabular suite: ``alpha=2`` for the first
        half of the epochs, then plain ERM to the end of the learning-rate
        schedule (``mix_fraction="auto"`` is 0.5 with it). A number is the
        paper's mixup, on every epoch, as in earlier releases. Not the
        ``alpha`` of :class:`~sklearn.neural_network.MLPClassifier`, which is
        an L2 penalty on the weights: that is ``weight_decay`` here, and a
        grid copied from ``MLPClassifier`` (e.g. ``1e-4``) would turn mixup
        almost off. The paper used 1.0 on CIFAR with deep ResNets; its authors
        advise 0.2-0.4 for small networks mixed throughout, where large alphas
        underfit. How the default was chosen, with the other candidates, and
        where mixing helps or hurts, are on the tabular results page of the
        documentation; tune it per dataset with
        :class:`~sklearn.model_selection.GridSearchCV` or
        :class:`~skmixup.MixupClassifierCV` when you can afford it.
    lambda_mode : {"batch", "example"}, default="batch"
        ``"batch"`` draws one coefficient per minibatch, as the paper and its
        official code; ``"example"`` draws one per example.
    partners : {"random", "same_class", "knn", "same_class_knn"}, default="random"
        How each example's mixing partner is chosen (the paper's ablation,
        its Table 5). ``"random"``: a random permutation of the minibatch, as
        the paper. ``"same_class"``: a random example of the same class in the
        minibatch (an example alone in its class in the batch is not mixed).
        ``"knn"``: one of the ``n_neighbors`` nearest neighbours of the
        example in the whole training set (Euclidean distance between inputs,
        computed once per fit; with ``mix_targets=False`` this is SMOTE-like).
        ``"same_class_knn"``: the same, among neighbours of the same class.
        The kNN partners are drawn from the training set, not from the
        minibatch, so that ``k`` can exceed the batch size as in the paper.
    n_neighbors : int, default=200
        Number of nearest neighbours among which ``"knn"`` partners are drawn
        (200 in the paper); capped at the number of training examples minus 1.
    mix_targets : bool, default=True
        Mix the labels as well as the inputs (mixup). When false, only the
        inputs are mixed and each mixed input keeps the label of the example
        with the larger weight (the coefficient is folded to
        ``max(lam, 1 - lam)``): the paper's "mix inputs only" ablation.
    class_weight : None, "balanced" or dict, default=None
        Weights of the classes, as in scikit-learn: a dict ``{label: weight}``
        (classes left out weigh 1), or ``"balanced"`` for
        ``n_samples / (n_classes * np.bincount(y))`` (counts weighted by
        ``sample_weight`` when given, as scikit-learn's
        :class:`~sklearn.linear_model.LogisticRegression` counts them). They
        multiply ``sample_weight``. Each example's weight is that of its class, and a
        mixed example carries the mixture of its two examples' weights,
        ``lam * w_i + (1 - lam) * w_j``: the class weights averaged over its
        mixed (soft) label. See the user guide.
    label_smoothing : float, default=0.0
        Label smoothing of the training targets, as
        :class:`torch.nn.CrossEntropyLoss`: the target becomes
        ``(1 - label_smoothing) * y + label_smoothing / n_classes``; it applies
        to the validation loss of early stopping too. Combine with
        ``alpha=0`` for label smoothing alone, as in the paper's ablation.
    clean_weight : float, default=0.0
        Weight of the loss on the unmixed minibatch beside the mixup loss:
        training minimises ``(1 - clean_weight) * mixup_loss + clean_weight *
        clean_loss``, one more forward pass per step (RegMixup, Pinto et al.,
        2022, who pair it with a large ``alpha`` so that mixed points lie
        between classes). ``0`` is the paper's mixup. In [0, 1).
    mix_fraction : float or "auto", default="auto"
        Share of the ``max_epochs`` epochs trained on mixed minibatches; the
        epochs after it train on the unmixed ones (plain ERM), to the end of
        the learning-rate schedule (Liu et al., 2023). ``1`` mixes throughout,
        as the paper. In (0, 1]. ``"auto"``: 0.5 with ``alpha="auto"``, 1
        with a numeric ``alpha``.
    mix_layer : None, int or "random", default=None
        Mix hidden representations instead of the inputs (manifold mixup,
        Verma et al., 2019). ``None`` or 0 mixes the inputs; ``k >= 1`` mixes
        the output of the k-th hidden layer, i.e. of the k-th activation
        module of the network (for the built-in MLP, its k-th hidden layer;
        for the built-in CNN, its convolution layers then its dense layer),
        through a forward hook; ``"random"`` draws the input or one of the
        hidden layers uniformly for each minibatch. Works with any ``module``
        whose activations are modules (``torch.nn.ReLU`` and the like).
    module : None, torch.nn.Module subclass or instance, default=None
        The network; it must return logits. ``None`` builds an MLP
        (:class:`~skmixup.modules.MLP`) for 2-D ``X`` and a small CNN
        (:class:`~skmixup.modules.SmallCNN`) for image tensors. A class is
        instantiated with ``module_params``; any of its constructor arguments
        named ``n_features``, ``in_channels``, ``input_shape``, ``n_outputs``
        or ``n_classes`` that ``module_params`` leaves out are filled in from
        the data. An instance is deep-copied at each fit and its weights are
        the starting point.
    module_params : dict, default=None
        Keyword arguments for a ``module`` class, or for the built-in CNN
        (``{"width": 16}``); names a network does not take raise ``ValueError``.
    hidden_layer_sizes : array-like of int, default=(256,)
        Hidden layer widths of the built-in MLP. The paper's UCI network is
        ``(128, 128)``; why the default is one wider layer is on the tabular
        results page of the documentation.
    dropout : float, default=0.0
        Dropout probability in the built-in networks.
    max_epochs : int, default=100
        Number of passes over the training data; with early stopping, the
        most. With ``lr_schedule="cosine"`` the learning rate reaches 0 at
        the last one.
    batch_size : int or "auto", default="auto"
        Minibatch size. ``"auto"``: the number of training rows divided by 8,
        rounded to a power of 2, within [32, 512], so that an epoch is about
        8 steps on small and mid-size tables and the cost of a fit grows
        with the data, not with a fixed number of tiny steps.
    lr : float, default=3e-3
        Initial learning rate.
    lr_schedule : {"cosine", "constant"}, default="cosine"
        ``"cosine"`` decays the learning rate from ``lr`` to 0 along a
        half cosine over the ``max_epochs`` epochs, updated at every step
        (:class:`torch.optim.lr_scheduler.CosineAnnealingLR`);
        ``"constant"`` keeps ``lr``. With a schedule that ends at 0 there is
        no need to hold rows out to decide when to stop.
    optimizer : {"adam", "adamw", "sgd"} or torch.optim.Optimizer subclass, default="adam"
        Optimizer class.
    optimizer_params : dict, default=None
        Extra keyword arguments for the optimizer, e.g. ``{"momentum": 0.9}``.
    weight_decay : float, default=0.0
        L2 penalty passed to the optimizer.
    early_stopping : "auto" or bool, default=False
        Hold out ``validation_fraction`` of the training data (stratified,
        unless a class has a single example) and stop when its loss has not
        improved for ``n_iter_no_change`` epochs, keeping the best weights.
        When false, no data is held out and training runs ``max_epochs``.
        ``"auto"`` stops early when the held-out part would have at least 10
        samples and one per class, and trains on all the data otherwise (tiny
        datasets). Off by default: on the tabular suite, training on every
        row with the cosine schedule beat holding 10% out (see the tabular
        results page).
    validation_fraction : float, default=0.1
        Fraction of the training data held out for early stopping.
    n_iter_no_change : int, default=10
        Patience of early stopping, in epochs.
    device : str or torch.device, default="auto"
        ``"auto"`` uses CUDA when available, else the CPU.
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, shuffling, partners and the mixing
        coefficients. The same value gives the same model, bit for bit, on CPU.
    verbose : int, default=0
        ``0`` prints nothing; ``1`` shows a progress bar over the epochs
        (with the last training and validation losses) once a fit has run
        for two seconds; ``2`` prints a table row per epoch and a line when
        early stopping ends training.
    warm_start : bool, default=False
        Continue training the fitted network on the next call to ``fit``. A
        copy is trained and replaces the fitted network only when the fit
        succeeds: an interrupted or failed warm fit leaves the model as it was.
    method : {"mixup", "cutmix"}, default="mixup"
        ``"mixup"`` blends whole inputs; ``"cutmix"`` (Yun et al., 2019; image
        tensors only) replaces a box of each image by its partner's pixels,
        the box covering about ``1 - lam`` of the image, and mixes the labels
        by the share of pixels each image keeps.
    augment : None or "crop_flip", default=None
        ``"crop_flip"`` augments each training batch of images on the device,
        before mixing: a random crop of the image zero-padded by an eighth of
        its height (4 pixels for 32x32), and a horizontal flip with
        probability 1/2. Drawn from the estimator's seeded generator.
    callbacks : list of skorch callbacks, default=None
        Extra :mod:`skorch.callbacks` for the net, copied at each fit, e.g. a
        learning-rate schedule:
        ``[skorch.callbacks.LRScheduler("MultiStepLR", milestones=[100, 150])]``.
        Their records are in ``net_.history``.
    precision : {None, "bf16", "fp16"}, default=None
        Mixed precision: ``None`` trains in float32; ``"bf16"`` or ``"fp16"``
        run the forward pass under :func:`torch.autocast` with that dtype
        (``"fp16"`` with loss scaling by :class:`torch.amp.GradScaler`). Meant
        for GPUs with tensor cores; bf16 also works on CPUs.
    compile : bool, default=False
        Compile the network with :func:`torch.compile` (through skorch's
        ``compile``). Pays a compilation delay at the first fit; helps larger
        networks on GPUs, not the small default MLP on a CPU.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_features_in_ : int
        Number of features (columns; channels for image tensors).
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names, when ``X`` was a DataFrame with string column names.
    input_shape_ : tuple of int
        Shape of one sample as the network sees it.
    input_scale_ : float
        Factor applied to every ``X``: 1/255 when the first fit got ``uint8``
        image tensors, else 1.
    net_ : skmixup._net.MixupNet
        The fitted skorch net; ``net_.module_`` is the torch module.
    loss_curve_ : list of float
        Mean training loss (on mixed batches) of each epoch.
    validation_loss_curve_ : list of float
        Validation loss of each epoch; only when early stopping ran.
    best_validation_loss_ : float
        Lowest validation loss; only when early stopping ran.
    n_iter_ : int
        Number of epochs run.

    See Also
    --------
    sklearn.neural_network.MLPClassifier : Multi-layer perceptron without mixup.
    skorch.NeuralNetClassifier : The skorch classifier this estimator builds on.

    References
    ----------
    .. [1] Zhang, H., Cisse, M., Dauphin, Y. N., Lopez-Paz, D. (2018).
       mixup: Beyond Empirical Risk Minimization. ICLR. :arxiv:`1710.09412`

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.model_selection import train_test_split
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skmixup import MixupClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    >>> clf = make_pipeline(StandardScaler(), MixupClassifier(alpha=0.4, random_state=0))
    >>> clf.fit(X_train, y_train).score(X_test, y_test) > 0.9
    True
    """

    _parameter_constraints = {
        **BaseNetEstimator._parameter_constraints,
        "partners": [StrOptions({"random", "same_class", "knn", "same_class_knn"})],
        "n_neighbors": [Interval(numbers.Integral, 1, None, closed="left")],
        "mix_targets": ["boolean"],
        "label_smoothing": [Interval(numbers.Real, 0, 1, closed="left")],
        "clean_weight": [Interval(numbers.Real, 0, 1, closed="left")],
        "alpha": [Interval(numbers.Real, 0, None, closed="left"), StrOptions({"auto"})],
        "mix_fraction": [Interval(numbers.Real, 0, 1, closed="right"), StrOptions({"auto"})],
        "class_weight": [None, dict, StrOptions({"balanced"})],
        "mix_layer": [
            None,
            Interval(numbers.Integral, 0, None, closed="left"),
            StrOptions({"random"}),
        ],
    }

    def __init__(
        self,
        alpha="auto",
        *,
        lambda_mode="batch",
        partners="random",
        n_neighbors=200,
        mix_targets=True,
        class_weight=None,
        label_smoothing=0.0,
        clean_weight=0.0,
        mix_fraction="auto",
        mix_layer=None,
        module=None,
        module_params=None,
        hidden_layer_sizes=(256,),
        dropout=0.0,
        max_epochs=100,
        batch_size="auto",
        lr=3e-3,
        lr_schedule="cosine",
        optimizer="adam",
        optimizer_params=None,
        weight_decay=0.0,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        device="auto",
        random_state=None,
        verbose=0,
        warm_start=False,
        method="mixup",
        augment=None,
        callbacks=None,
        precision=None,
        compile=False,
    ):
        self.alpha = alpha
        self.lambda_mode = lambda_mode
        self.partners = partners
        self.n_neighbors = n_neighbors
        self.mix_targets = mix_targets
        self.class_weight = class_weight
        self.label_smoothing = label_smoothing
        self.clean_weight = clean_weight
        self.mix_fraction = mix_fraction
        self.mix_layer = mix_layer
        self.module = module
        self.module_params = module_params
        self.hidden_layer_sizes = hidden_layer_sizes
        self.dropout = dropout
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.lr_schedule = lr_schedule
        self.optimizer = optimizer
        self.optimizer_params = optimizer_params
        self.weight_decay = weight_decay
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.device = device
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start
        self.method = method
        self.augment = augment
        self.callbacks = callbacks
        self.precision = precision
        self.compile = compile

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Train the network on mixup batches of (X, y).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), (n_samples, channels, height, width) \
                or (n_samples, height, width)
            Training data: a table or image tensors, any numeric dtype. uint8
            image tensors (8-bit images) are divided by 255 to lie in [0, 1],
            and so is every later ``X`` of this model, whatever its dtype;
            tables and other dtypes are taken as given. Images go channels
            first; with the built-in CNN a 4-D ``X`` that looks
            channels-last (last axis of size 1, 3 or 4, second axis larger)
            raises a ``ValueError``: transpose it with
            ``X.transpose(0, 3, 1, 2)``.
        y : array-like of shape (n_samples,)
            Class labels of any type.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples. The loss of a mixed example
            is weighted by ``lam * w_i + (1 - lam) * w_j``; the validation
            loss of early stopping is weighted too. Samples of weight 0 are
            removed before anything else, exactly as if they had not been
            given. Multiplied by the ``class_weight`` of each sample.

        Returns
        -------
        self : MixupClassifier
            The fitted classifier.
        """
        return self._fit(X, y, sample_weight)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None):
        """Train for one epoch on (X, y): one pass over its mixup minibatches.

        For data that does not fit in memory, or arrives over time: call
        ``partial_fit`` once per chunk. Mixing pairs examples within the
        minibatches of the chunk given. The first call builds the network
        (seeded by ``random_state``); later calls continue it, with the same
        optimizer state and random streams, so the same sequence of calls
        gives the same model. Early stopping does not apply, and the learning
        rate stays at ``lr``: the cosine schedule of ``lr_schedule`` needs a
        known last epoch, which a stream does not have. ``batch_size="auto"``
        is computed from the first chunk.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or image tensors
            A chunk of training data, shaped as the first one.
        y : array-like of shape (n_samples,)
            Its class labels, all among ``classes``.
        classes : array-like of shape (n_classes,), default=None
            Every class label that any chunk will contain. Required on the
            first call (as in scikit-learn), ignored or checked later.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the chunk's samples, as in :meth:`fit`.

        Returns
        -------
        self : MixupClassifier
            The updated classifier.
        """
        return self._partial_fit(X, y, sample_weight, classes)

    def _partial_targets(self, y, classes, first, sample_weight):
        check_classification_targets(y)
        if first:
            if classes is None:
                raise ValueError(
                    "classes must be given on the first call to partial_fit: the list of "
                    "every class label that the chunks will contain, e.g. classes=np.unique(y) "
                    "of the whole data."
                )
            classes = np.unique(classes)
            if len(classes) < 2:
                raise ValueError(
                    f"MixupClassifier needs at least 2 classes; classes={classes.tolist()}."
                )
            if self.class_weight == "balanced":
                raise ValueError(
                    "class_weight='balanced' needs the class counts of the whole data, which "
                    "partial_fit does not see. Compute them once with sklearn.utils.class_weight."
                    "compute_class_weight('balanced', classes=classes, y=y) and pass "
                    "class_weight as a dict."
                )
            self.classes_ = classes
        elif classes is not None and not np.array_equal(np.unique(classes), self.classes_):
            raise ValueError(
                f"classes={np.unique(classes).tolist()} differs from the classes of the first "
                f"call ({self.classes_.tolist()}); they cannot change between calls."
            )
        return self._encode_targets(y, reset=False)

    def _class_weight_rows(self, targets, sample_weight):
        return class_sample_weight(
            self.class_weight, self.classes_, targets.argmax(axis=1), sample_weight
        )

    def _encode_targets(self, y, reset, sample_weight=None):
        check_classification_targets(y)
        if reset:
            classes, encoded = np.unique(y, return_inverse=True)
            if len(classes) < 2:
                raise ValueError(
                    f"MixupClassifier needs samples of at least 2 classes; got 1 class "
                    f"({classes[0]!r}). Check y."
                )
            self.classes_ = classes
        else:
            unseen = np.setdiff1d(y, self.classes_)
            if unseen.size:
                raise ValueError(
                    f"y has labels {unseen.tolist()} that are not among the classes of the "
                    f"first fit ({self.classes_.tolist()}); warm_start cannot add classes, "
                    "nor can partial_fit. Refit from scratch, or list every class in the "
                    "first partial_fit's classes."
                )
            encoded = np.searchsorted(self.classes_, y)
        return np.eye(len(self.classes_), dtype=np.float32)[encoded]

    def _stratify_split(self):
        return True

    def _net_params(self, module):
        return {
            "partners": self.partners,
            "n_neighbors": self.n_neighbors,
            "mix_targets": self.mix_targets,
            "mix_layer": resolve_mix_layer(self.mix_layer, module),
            "criterion__label_smoothing": float(self.label_smoothing),
            "clean_weight": float(self.clean_weight),
            "mix_fraction": self._resolved_mixing()[1],
        }

    def _resolved_mixing(self):
        """``(alpha, mix_fraction)`` as trained: the ``"auto"`` values resolved."""
        auto = isinstance(self.alpha, str)  # "auto", checked by _parameter_constraints
        alpha = AUTO_ALPHA if auto else float(self.alpha)
        if self.mix_fraction != "auto":
            return alpha, float(self.mix_fraction)
        return alpha, AUTO_MIX_FRACTION if auto else 1.0

    def _alpha(self):
        return self._resolved_mixing()[0]

    def _criterion(self):
        # Accepts class-probability targets: the mixed one-hot rows.
        return torch.nn.CrossEntropyLoss

    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : array-like
            Samples shaped as in ``fit``.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Rows sum to 1; columns follow ``classes_``.
        """
        logits = self._forward(X)
        return torch.softmax(torch.from_numpy(logits), dim=1).numpy()

    def predict_log_proba(self, X):
        """Logarithm of :meth:`predict_proba`, computed stably from the logits.

        Parameters
        ----------
        X : array-like
            Samples shaped as in ``fit``.

        Returns
        -------
        ndarray of shape (n_samples, n_classes)
            Log-probabilities; columns follow ``classes_``.
        """
        logits = self._forward(X)
        return torch.log_softmax(torch.from_numpy(logits), dim=1).numpy()

    def predict(self, X):
        """Predicted class labels, of the type given in ``fit``.

        Parameters
        ----------
        X : array-like
            Samples shaped as in ``fit``.

        Returns
        -------
        ndarray of shape (n_samples,)
            The class of highest probability for each sample, from ``classes_``.
        """
        check_is_fitted(self)
        return self.classes_[np.argmax(self._forward(X), axis=1)]
