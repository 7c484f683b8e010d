"""MixupRegressor: a scikit-learn regressor trained with mixup (and C-Mixup)."""

from __future__ import annotations

import numbers

import numpy as np
import torch
from sklearn.base import RegressorMixin
from sklearn.utils.validation import check_array, check_consistent_length, check_is_fitted

from ._base import BaseNetEstimator
from ._compat import Interval, StrOptions, _fit_context
from ._net import resolve_mix_layer


class MixupRegressor(RegressorMixin, BaseNetEstimator):
    """Neural network regressor trained with mixup.

    Each training minibatch is replaced by convex combinations of pairs of its
    examples and of their targets, ``x = lam * x_i + (1 - lam) * x_j``,
    ``y = lam * y_i + (1 - lam) * y_j`` with ``lam ~ Beta(alpha, alpha)``
    (Zhang et al., 2018), and the network minimises the squared error. With
    ``partners="label_kernel"``, partners with close targets are preferred, as
    C-Mixup (Yao et al., 2022): mixing two examples whose targets differ a lot
    can produce an input whose interpolated target is implausible.

    The targets are standardised internally (each output to mean 0 and
    standard deviation 1 on the training data) and predictions transformed
    back, so that the learning rate and ``kernel_bandwidth`` do not depend on
    the targets' units; ``loss_curve_`` is on the standardised scale.
    Standardise the features too (e.g. with
    :class:`~sklearn.preprocessing.StandardScaler`).

    Parameters
    ----------
    alpha : float, default=0.1
        Concentration of the Beta(alpha, alpha) distribution of the mixing
        coefficient: the mixup strength. ``alpha=0`` trains without mixing
        (plain ERM). How the default was chosen, and how it compares with
        ``alpha=0`` and :class:`~sklearn.neural_network.MLPRegressor`, is on
        the regression results page of the documentation. Not the ``alpha`` of
        :class:`~sklearn.neural_network.MLPRegressor`, which is an L2 penalty
        on the weights (here ``weight_decay``).
    lambda_mode : {"batch", "example"}, default="batch"
        ``"batch"`` draws one coefficient per minibatch, as the paper;
        ``"example"`` draws one per example.
    partners : {"random", "knn", "label_kernel"}, default="random"
        How each example's partner is chosen. ``"random"``: a random
        permutation of the minibatch (the paper). ``"knn"``: one of the
        ``n_neighbors`` nearest training examples in input space.
        ``"label_kernel"``: C-Mixup; a training example ``j`` drawn with
        probability proportional to
        ``exp(-|y_i - y_j|^2 / (2 * kernel_bandwidth^2))`` (standardised
        targets; never the example itself). Both draw from the whole training
        set, not only the minibatch.
    n_neighbors : int, default=200
        Number of nearest neighbours for ``partners="knn"``, capped at the
        number of training examples minus 1.
    kernel_bandwidth : float, default=0.5
        Width of the C-Mixup kernel, in standard deviations of the targets:
        small values mix nearly equal targets only, large values approach
        random partners.
    mix_layer : None, int or "random", default=None
        Mix hidden representations instead of the inputs (manifold mixup):
        ``k >= 1`` mixes the output of the k-th hidden layer (activation
        module) of the network, ``"random"`` draws the input or a hidden
        layer for each minibatch; ``None`` or 0 mixes the inputs.
    module : None, torch.nn.Module subclass or instance, default=None
        The network; it must return ``n_outputs`` values per sample. ``None``
        builds an MLP (:class:`~skmixup.modules.MLP`) for 2-D ``X`` and a
        small CNN (:class:`~skmixup.modules.SmallCNN`) for image tensors; see
        :class:`~skmixup.MixupClassifier` for how a class is instantiated.
    module_params : dict, default=None
        Keyword arguments for a ``module`` class, or for the built-in CNN
        (``{"width": 16}``); names a network does not take raise ``ValueError``.
    hidden_layer_sizes : array-like of int, default=(256,)
        Hidden layer widths of the built-in MLP.
    dropout : float, default=0.0
        Dropout probability in the built-in networks.
    max_epochs : int, default=50
        Number of passes over the training data (the most, with early
        stopping). With ``lr_schedule="cosine"`` the learning rate reaches 0
        at the last one.
    batch_size : int or "auto", default="auto"
        Minibatch size. ``"auto"``: the number of training rows divided by 8,
        rounded to a power of 2, within [32, 512], so that an epoch is about
        8 steps on small and mid-size tables and the cost of a fit grows
        with the data, not with a fixed number of tiny steps.
    lr : float, default=3e-3
        Initial learning rate.
    lr_schedule : {"cosine", "constant"}, default="cosine"
        ``"cosine"`` decays the learning rate from ``lr`` to 0 along a half
        cosine over the ``max_epochs`` epochs, updated at every step
        (:class:`torch.optim.lr_scheduler.CosineAnnealingLR`);
        ``"constant"`` keeps ``lr``. :meth:`partial_fit` always keeps ``lr``:
        a stream has no known last epoch to decay towards.
    optimizer : {"adam", "adamw", "sgd"} or torch.optim.Optimizer subclass, default="adam"
        Optimizer class.
    optimizer_params : dict, default=None
        Extra keyword arguments for the optimizer.
    weight_decay : float, default=0.0
        L2 penalty passed to the optimizer.
    early_stopping : bool, default=False
        Hold out ``validation_fraction`` of the training data and stop when its
        loss has not improved for ``n_iter_no_change`` epochs, keeping the best
        weights.
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
        ``0`` prints nothing; ``1`` shows a progress bar over the epochs once
        a fit has run for two seconds; ``2`` prints a table row per epoch.
    warm_start : bool, default=False
        Continue training the fitted network on the next call to ``fit``. A
        copy is trained and replaces the fitted network only when the fit
        succeeds: an interrupted or failed warm fit leaves the model as it was.
    method : {"mixup", "cutmix"}, default="mixup"
        ``"mixup"`` blends whole inputs; ``"cutmix"`` (image tensors only)
        replaces a box of each image by its partner's pixels and mixes the
        targets by the share of pixels each image keeps.
    augment : None or "crop_flip", default=None
        ``"crop_flip"`` augments each training batch of images on the device
        (random crop of the zero-padded image, horizontal flip) before mixing.
    callbacks : list of skorch callbacks, default=None
        Extra :mod:`skorch.callbacks` for the net, copied at each fit, e.g. a
        learning-rate schedule. Their records are in ``net_.history``.
    precision : {None, "bf16", "fp16"}, default=None
        Mixed precision for the forward pass (:func:`torch.autocast`), as in
        :class:`MixupClassifier`.
    compile : bool, default=False
        Compile the network with :func:`torch.compile`.

    Attributes
    ----------
    n_outputs_ : int
        Number of targets.
    target_mean_ : ndarray of shape (`n_outputs_`,)
        Mean of each target on the (first) training data.
    target_scale_ : ndarray of shape (`n_outputs_`,)
        Standard deviation of each target on the training data (1 where it is 0).
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
        Mean training loss (mean squared error on mixed batches of
        standardised targets) of each epoch.
    validation_loss_curve_ : list of float
        Validation loss of each epoch; only with ``early_stopping=True``.
    best_validation_loss_ : float
        Lowest validation loss; only with ``early_stopping=True``.
    n_iter_ : int
        Number of epochs run.

    See Also
    --------
    MixupClassifier : The classifier trained with mixup.
    sklearn.neural_network.MLPRegressor : Multi-layer perceptron without mixup.

    References
    ----------
    .. [1] Zhang, H., Cisse, M., Dauphin, Y. N., Lopez-Paz, D. (2018).
       mixup: Beyond Empirical Risk Minimization. ICLR. :arxiv:`1710.09412`
    .. [2] Yao, H., Wang, Y., Zhang, L., Zou, J., Finn, C. (2022). C-Mixup:
       Improving Generalization in Regression. NeurIPS. :arxiv:`2210.05775`

    Examples
    --------
    >>> from sklearn.datasets import load_diabetes
    >>> from sklearn.model_selection import train_test_split
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from skmixup import MixupRegressor
    >>> X, y = load_diabetes(return_X_y=True)
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    >>> reg = make_pipeline(StandardScaler(), MixupRegressor(max_epochs=10, random_state=0))
    >>> reg.fit(X_train, y_train).score(X_test, y_test) > 0.25
    True
    """

    _parameter_constraints = {
        **BaseNetEstimator._parameter_constraints,
        "partners": [StrOptions({"random", "knn", "label_kernel"})],
        "n_neighbors": [Interval(numbers.Integral, 1, None, closed="left")],
        "kernel_bandwidth": [Interval(numbers.Real, 0, None, closed="neither")],
        "mix_layer": [
            None,
            Interval(numbers.Integral, 0, None, closed="left"),
            StrOptions({"random"}),
        ],
    }

    def __init__(
        self,
        alpha=0.1,
        *,
        lambda_mode="batch",
        partners="random",
        n_neighbors=200,
        kernel_bandwidth=0.5,
        mix_layer=None,
        module=None,
        module_params=None,
        hidden_layer_sizes=(256,),
        dropout=0.0,
        max_epochs=50,
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
        self.kernel_bandwidth = kernel_bandwidth
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

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Train the network on mixup batches of (X, y).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), (n_samples, channels, height, width) \
                or (n_samples, height, width)
            Training data: a table or image tensors, any numeric dtype. Images
            go channels first; with the built-in CNN a 4-D ``X`` that looks
            channels-last (last axis of size 1, 3 or 4, second axis larger)
            raises a ``ValueError``: transpose it with
            ``X.transpose(0, 3, 1, 2)``.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Real-valued targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples. The squared error of a mixed
            example is weighted by ``lam * w_i + (1 - lam) * w_j``; the
            validation loss of early stopping is weighted too. Samples of
            weight 0 are removed before anything else (including the
            standardisation of the targets), exactly as if they had not been
            given.

        Returns
        -------
        self : MixupRegressor
            The fitted regressor.
        """
        return self._fit(X, y, sample_weight)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Train for one epoch on (X, y): one pass over its mixup minibatches.

        Call once per chunk for data that does not fit in memory. The first
        call builds the network and fixes the target standardisation (mean
        and standard deviation of its chunk); later calls continue with the
        same optimizer state and random streams. Early stopping does not
        apply.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or image tensors
            A chunk of training data, shaped as the first one.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Its targets, with as many outputs as the first chunk's.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the chunk's samples, as in :meth:`fit`.

        Returns
        -------
        self : MixupRegressor
            The updated regressor.
        """
        return self._partial_fit(X, y, sample_weight)

    def _validate_X(self, X, *, reset, y="no_validation"):
        if y is None or isinstance(y, str):
            return super()._validate_X(X, reset=reset, y=y)
        # Targets: numeric, finite, one or several columns.
        kind = np.asarray(y).dtype.kind if not hasattr(y, "dtypes") else "f"
        if kind in "USaV":
            raise ValueError(
                f"MixupRegressor needs numeric targets; y has dtype {np.asarray(y).dtype}. "
                "Convert y to numbers, or use MixupClassifier for class labels."
            )
        try:
            y = check_array(
                y,
                ensure_2d=False,
                dtype=np.float64,
                ensure_all_finite=True,
                ensure_min_samples=1,
                input_name="y",
            )
        except ValueError as exc:
            if "convert" not in str(exc):
                raise
            raise ValueError(
                f"MixupRegressor needs numeric targets ({exc}). Convert y to numbers, or use "
                "MixupClassifier for class labels."
            ) from None
        if y.ndim > 2:
            raise ValueError(
                f"y must be of shape (n_samples,) or (n_samples, n_outputs); got {y.shape}."
            )
        X = super()._validate_X(X, reset=reset)
        check_consistent_length(X, y)
        return X, y

    def _encode_targets(self, y, reset, sample_weight=None):
        y2 = y.reshape(len(y), -1)
        if reset:  # weighted moments: weights act as repetitions
            with np.errstate(over="ignore", invalid="ignore"):
                mean = np.average(y2, axis=0, weights=sample_weight)
                scale = np.sqrt(np.average((y2 - mean) ** 2, axis=0, weights=sample_weight))
            if not (np.isfinite(mean).all() and np.isfinite(scale).all()):
                raise ValueError(
                    "MixupRegressor cannot standardise y: its mean or standard deviation "
                    f"overflows float64 (the largest |y| is {np.max(np.abs(y2)):.3g}). Scale "
                    "the target before fitting (divide it by a power of ten, or take its log), "
                    "e.g. with sklearn.compose.TransformedTargetRegressor."
                )
            self.n_outputs_ = y2.shape[1]
            self._y_ndim = y.ndim
            self.target_mean_ = mean
            self.target_scale_ = np.where(scale > 0, scale, 1.0)
        elif y2.shape[1] != self.n_outputs_:
            raise ValueError(
                f"y has {y2.shape[1]} outputs, but the first fit had {self.n_outputs_}; "
                "warm_start cannot change the number of outputs."
            )
        with np.errstate(over="ignore", invalid="ignore"):
            encoded = ((y2 - self.target_mean_) / self.target_scale_).astype(np.float32)
        if not np.isfinite(encoded).all():
            raise ValueError(
                "y, standardised with the mean and standard deviation of the first fit "
                "(target_mean_, target_scale_), does not fit in float32: these targets are "
                "far outside the range the model was first fitted on. Scale the target, or "
                "refit from scratch (warm_start=False)."
            )
        return encoded

    def _criterion(self):
        return torch.nn.MSELoss

    def _net_params(self, module):
        return {
            "partners": self.partners,
            "n_neighbors": self.n_neighbors,
            "kernel_bandwidth": float(self.kernel_bandwidth),
            "mix_layer": resolve_mix_layer(self.mix_layer, module),
        }

    def predict(self, X):
        """Predicted targets.

        Parameters
        ----------
        X : array-like
            Samples shaped as in ``fit``.

        Returns
        -------
        ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Shaped as the ``y`` given to ``fit``.
        """
        check_is_fitted(self)
        raw = self._forward(X)
        with np.errstate(over="ignore", invalid="ignore"):
            out = raw * self.target_scale_ + self.target_mean_
        if not np.isfinite(out).all():
            cause = (
                "the network's outputs are not finite (its training diverged: lower lr)"
                if not np.isfinite(raw).all()
                else "mapping the network's outputs back to the target's units overflows"
            )
            raise ValueError(
                f"MixupRegressor's predictions would not be finite: {cause}. Scale the "
                "target before fitting (e.g. with sklearn.compose.TransformedTargetRegressor)."
            )
        return out.ravel() if self._y_ndim == 1 else out
