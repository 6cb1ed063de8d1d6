"""leinao (类脑): a spiking neural network simulator with NEST's models, names and units.

Build a network call by call, or load a model file, run it any number of times and read the
results as NumPy arrays::

    import numpy as np
    import leinao

    sim = leinao.Simulator(dt=0.1, seed=1, threads=2)
    E = sim.population("iaf_psc_alpha", 1000, params={"tau_m": 20.0, "I_e": 376.0},
                       init={"V_m": leinao.uniform(-70.0, -55.0)})
    sim.connect(E, E, rule={"fixed_indegree": 100}, weight=20.0, delay=1.5)
    sim.record_spikes(E)
    sim.run(100.0)
    sim.run(100.0)                 # continues: identical to one run of 200 ms
    times, ids = E.spikes()        # NumPy arrays: ms, neuron indices within E
    print(sim.summary()["populations"]["iaf_psc_alpha_0"]["rate"])

Units are NEST's: ms, mV, pA, pF, nS, Hz. Results are bitwise identical for any number of
threads, and identical to the same network written as a model file and run by the ``leinao``
command. Failures raise a subclass of :class:`LeinaoError` that carries leinao's message and the
failure as data (``status``, ``argument``, ``parameter``, ``index``).
"""

import numbers

import numpy as np

from . import _leinao
from ._leinao import (LeinaoError, OutOfMemoryError, InvalidArgumentError, ModelError, FileError,
                      NotFoundError, OutputExistsError, RunInterrupted, StateError, NumericError,
                      UnsupportedError, GuardError)

__version__ = _leinao.version()

__all__ = [
    "Simulator", "Population", "Projection", "StateRecording", "Distribution",
    "uniform", "normal", "lognormal", "models", "model_params", "model_doc", "plot_spikes",
    "plot_state", "LeinaoError", "OutOfMemoryError", "InvalidArgumentError", "ModelError",
    "FileError", "NotFoundError", "OutputExistsError", "RunInterrupted", "StateError",
    "NumericError", "UnsupportedError", "GuardError", "__version__",
]

_INF = float("inf")

# ---- Distributions -------------------------------------------------------------------------


class Distribution:
    """A random distribution for initial values, weights and delays, drawn by leinao's own
    counter-based streams (so results do not depend on threads). Make one with
    :func:`uniform`, :func:`normal` or :func:`lognormal`, or write the model file's mapping
    (``{"uniform": {"low": 0, "high": 20}}``)."""

    _KINDS = {"constant": 0, "uniform": 1, "normal": 2, "normal_clipped": 3, "lognormal": 4}

    def __init__(self, kind, a=0.0, b=0.0, low=-_INF, high=_INF):
        if kind not in self._KINDS:
            raise ValueError(f"unknown distribution '{kind}' (one of {', '.join(self._KINDS)})")
        self.kind, self.a, self.b, self.low, self.high = kind, float(a), float(b), float(low), float(high)

    def _tuple(self):
        return (self._KINDS[self.kind], self.a, self.b, self.low, self.high)

    def __repr__(self):
        return f"Distribution({self.kind!r}, {self.a}, {self.b}, low={self.low}, high={self.high})"


def uniform(low, high):
    """Uniform on [low, high)."""
    return Distribution("uniform", low, high)


def normal(mean, std, low=None, high=None):
    """Normal with `mean` and standard deviation `std`; with `low` and/or `high`, redrawn until
    low <= x <= high (NEST's normal_clipped)."""
    if low is None and high is None:
        return Distribution("normal", mean, std)
    return Distribution("normal_clipped", mean, std, -_INF if low is None else low,
                        _INF if high is None else high)


def lognormal(mu, sigma):
    """exp(N(mu, sigma^2)): mu and sigma of the logarithm."""
    return Distribution("lognormal", mu, sigma)


def _dist(value, what):
    """A Distribution, a number or a model-file mapping, as the C layer's tuple."""
    if isinstance(value, Distribution):
        return value._tuple()
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return (0, float(value), 0.0, -_INF, _INF)
    if isinstance(value, dict) and len(value) == 1:
        (kind, args), = value.items()
        args = dict(args)
        if kind == "uniform":
            return uniform(args.pop("low"), args.pop("high"))._tuple()
        if kind in ("normal", "normal_clipped"):
            return normal(args.pop("mean"), args.pop("std"), args.pop("low", None),
                          args.pop("high", None))._tuple()
        if kind == "lognormal":
            return lognormal(args.pop("mu"), args.pop("sigma"))._tuple()
    raise TypeError(f"{what} must be a number, a leinao.Distribution or a mapping such as "
                    f"{{'uniform': {{'low': 0, 'high': 1}}}}, got {value!r}")


def _indices(values, what):
    """Neuron indices as a contiguous uint32 array (refusing negative or fractional values)."""
    a = np.asarray(values)
    if a.ndim != 1:
        a = a.reshape(-1)
    if a.size and not np.issubdtype(a.dtype, np.integer):
        raise TypeError(f"{what} must be integer indices, got an array of {a.dtype}")
    if a.size and (a.min() < 0 or a.max() > 0xFFFFFFFF):
        raise InvalidArgumentError(f"{what} must be neuron indices in [0, 2^32), got {a.min()}"
                                   f" .. {a.max()}")
    return np.ascontiguousarray(a, dtype=np.uint32)


def _doubles(values):
    return np.ascontiguousarray(np.asarray(values, dtype=np.float64).reshape(-1))


def _is_array(value):
    return isinstance(value, (list, tuple, np.ndarray)) and not isinstance(value, str)


# ---- Model introspection -------------------------------------------------------------------


def models(kind=None):
    """Names of the built-in models; `kind` "neuron", "device" or "synapse" to filter."""
    names = _leinao.models()
    return [m for m in names if kind is None or _leinao.model_kind(m) == kind]


def model_params(model):
    """The parameter table of `model`: a list of dicts with name, unit, default, rule,
    is_state, hidden and doc. Raises NotFoundError for an unknown model."""
    return _leinao.model_params(model)


def model_doc(model):
    """The Markdown documentation of `model` (as `leinao doc MODEL` prints it)."""
    return _leinao.model_doc(model)


def _plot_args(kind, data, out, t_from, t_to, populations, title, width, height, max_neurons):
    if populations is not None and not isinstance(populations, str):
        populations = ",".join(p.name if isinstance(p, Population) else str(p) for p in populations)
    nan = float("nan")
    _leinao.plot(kind, str(data), str(out), nan if t_from is None else float(t_from),
                 nan if t_to is None else float(t_to), populations, title, int(width), int(height),
                 int(max_neurons))


def plot_spikes(spike_file, out, t_from=None, t_to=None, populations=None, title=None,
                width=1200, height=800, max_neurons=400):
    """Draws a raster with the population rate under it from a SONATA spike file into `out`
    (.png, .svg or .pdf), as `leinao plot` does."""
    _plot_args("spikes", spike_file, out, t_from, t_to, populations, title, width, height,
               max_neurons)


def plot_state(report_file, out, t_from=None, t_to=None, populations=None, title=None,
               width=1200, height=800, max_neurons=400):
    """Draws the traces of a SONATA frame report (one panel per variable) into `out`."""
    _plot_args("state", report_file, out, t_from, t_to, populations, title, width, height,
               max_neurons)


# ---- Populations, projections, recordings --------------------------------------------------


class Population:
    """A population of neurons or devices of one model, made by :meth:`Simulator.population` or
    by :meth:`Simulator.load`. ``len(pop)`` is its size; ``pop.name``, ``pop.model``, ``pop.id``.
    """

    def __init__(self, sim, pid, name, model, size):
        self.sim, self.id, self.name, self.model, self.size = sim, pid, name, model, size
        self._table = None

    def __len__(self):
        return self.size

    def __repr__(self):
        return f"<leinao.Population {self.name!r}: {self.size} x {self.model}>"

    def _param_info(self, name):
        if self._table is None:
            self._table = {p["name"]: p for p in _leinao.model_params(self.model)}
        return self._table.get(name)

    def set(self, params=None, **kwargs):
        """Sets parameters: ``pop.set(tau_m=10.0, V_th=array_of_size_n)``. A number applies to
        every element; an array (neurons only) gives one value per neuron; a list-valued
        parameter (spike_generator's ``spike_times``) takes an array. Before the first run any
        parameter may be set; between runs numbers may, and they take effect at the next step
        (a device's at the next slice of min_delay)."""
        values = dict(params or {}, **kwargs)
        h = self.sim._h
        for name, value in values.items():
            info = self._param_info(name)
            if info is not None and info["rule"].startswith("list of"):
                h.set_param_array(self.id, name, _doubles(value))
            elif _is_array(value):
                h.set_param_values(self.id, name, _doubles(value))
            else:
                h.set_param(self.id, name, float(value))

    def initialize(self, init=None, **kwargs):
        """Initial state: ``pop.initialize(V_m=-65.0)``, a :class:`Distribution` drawn per neuron
        from its own stream, or an array with one value per neuron. Before the first run."""
        values = dict(init or {}, **kwargs)
        h = self.sim._h
        for var, value in values.items():
            if _is_array(value):
                h.set_init_values(self.id, var, _doubles(value))
            else:
                h.set_init(self.id, var, _dist(value, var))

    def get(self, name):
        """After the build: a parameter's effective value per element, or a state variable's
        value now (before the first run: the initial values as drawn), as a float64 array."""
        return self.sim._h.get_values(self.id, name, self.size)

    def spikes(self):
        """The spikes recorded so far (needs :meth:`Simulator.record_spikes` on this population):
        ``(times, ids)``, float64 ms and uint32 neuron indices within the population, in time
        order (ties by neuron). Copies: they stay valid after later runs."""
        return self.sim._h.get_spikes(self.id)

    def stats(self):
        """Name, model, size, is_device, spikes, rate (Hz) and cv_isi after the transient."""
        return self.sim._h.population_stats(self.id)


class Projection:
    """Synapses from one population to another, made by :meth:`Simulator.connect`."""

    def __init__(self, sim, pid, source, target):
        self.sim, self.id, self.source, self.target = sim, pid, source, target

    def __repr__(self):
        return f"<leinao.Projection {self.id}: {self.source.name} -> {self.target.name}>"

    def connections(self):
        """The synapses after the build, as NEST's GetConnections: a dict of NumPy arrays
        ``source``, ``target`` (uint32 indices within the populations), ``weight`` (as now:
        plastic synapses change) and ``delay`` (ms), by source then target."""
        s, t, w, d = self.sim._h.get_connections(self.id)
        return {"source": s, "target": t, "weight": w, "delay": d}

    def set_connections(self, weight=None, delay=None):
        """Sets the weights and/or delays of the built synapses (the first :meth:`Simulator.run`
        or :meth:`Simulator.build` builds them), between runs, as NEST's SetStatus on
        connections: a number for every synapse, or an array with one value per synapse in the
        order of :meth:`connections`. Weights as at connect (negative: inhibitory); delays in
        ms, multiples of dt within the delays the network was built with. Spikes delivered from
        then on use the new values; plastic synapses go on from the new weights. Raises
        StateError before the build, InvalidArgumentError (nothing changed) for a bad value.
        A projection changed so can no longer be checkpointed."""
        if weight is None and delay is None:
            return
        n = int(self.sim._h.projection_stats(self.id)["synapses"])

        def column(value):
            if value is None:
                return None
            a = _doubles(value) if _is_array(value) else np.full(n, float(value))
            if a.size != n:
                raise InvalidArgumentError(f"{self!r} has {n} synapses, got {a.size} values")
            return a
        self.sim._h.set_connections(self.id, column(weight), column(delay))

    def set(self, params=None, **kwargs):
        """Sets parameters of the projection's synapse model (``proj.set(tau_plus=15.0)``): before
        the build, or between runs (the next spikes use them; per-source state already made
        from initial values is not reset). All are checked together; nothing changes on a
        refusal."""
        values = dict(params or {}, **kwargs)
        if values:
            self.sim._h.set_synapse_params(self.id, list(values),
                                           [float(v) for v in values.values()])

    def stats(self):
        """Synapse model, number of synapses, mean weight before and after, min and max."""
        return self.sim._h.projection_stats(self.id)


class StateRecording:
    """State variables recorded in memory by :meth:`Simulator.record`. ``rec.times`` (ms) and
    ``rec["V_m"]``: an array of shape (frames, neurons); ``rec.neurons``: the neuron indices."""

    def __init__(self, sim, index, pop, variables, neurons):
        self.sim, self.index, self.population = sim, index, pop
        self.variables, self.neurons = list(variables), neurons

    def _get(self):
        return self.sim._h.get_state(self.index)

    @property
    def times(self):
        """Sample times in ms (the state at the end of those steps)."""
        return self._get()[0]

    def __getitem__(self, var):
        k = self.variables.index(var)
        values = self._get()[1]
        n_vars = len(self.variables)
        return np.ascontiguousarray(values[:, k::n_vars])

    def data(self):
        """``{"times": ..., var: array (frames, neurons), ...}``."""
        times, values = self._get()
        n_vars = len(self.variables)
        out = {"times": times}
        for k, var in enumerate(self.variables):
            out[var] = np.ascontiguousarray(values[:, k::n_vars])
        return out


_RULES = {"all_to_all": 0, "one_to_one": 1, "pairwise_bernoulli": 2, "fixed_indegree": 3,
          "fixed_outdegree": 4, "fixed_total_number": 5}


def _rule(rule, allow_autapses, allow_multapses):
    """(kind, p, n, autapses, multapses) from "all_to_all", ("fixed_indegree", 100) or
    {"fixed_indegree": 100, "allow_autapses": False} (the model file's form)."""
    options = {}
    if isinstance(rule, str):
        name, value = rule, None
    elif isinstance(rule, tuple) and len(rule) == 2:
        name, value = rule
    elif isinstance(rule, dict):
        options = dict(rule)
        keys = [k for k in options if k in _RULES]
        if len(keys) != 1:
            raise InvalidArgumentError(f"rule must name one of {', '.join(_RULES)}, got {rule!r}")
        name = keys[0]
        value = options.pop(name)
    else:
        raise TypeError(f"rule must be a name, a (name, value) pair or a mapping, got {rule!r}")
    if name not in _RULES:
        raise InvalidArgumentError(f"unknown rule '{name}' (one of {', '.join(_RULES)})")
    autapses = options.pop("allow_autapses", True if allow_autapses is None else allow_autapses)
    multapses = options.pop("allow_multapses", True if allow_multapses is None else allow_multapses)
    if options:
        raise InvalidArgumentError(f"unknown rule option(s): {', '.join(options)}")
    p, n = 0.0, 0
    if name == "pairwise_bernoulli":
        p = float(value)
    elif name in ("fixed_indegree", "fixed_outdegree", "fixed_total_number"):
        if not isinstance(value, numbers.Integral) or value < 0:
            raise InvalidArgumentError(f"{name} needs a count >= 0, got {value!r}")
        n = int(value)
    return (_RULES[name], p, n, bool(autapses), bool(multapses))


# ---- The simulator -------------------------------------------------------------------------


class Simulator:
    """A simulation: populations, projections, recordings, then runs.

    ``Simulator(dt=0.1, seed=12345, threads=0, out=None, overwrite=False, name=None)``:
    dt in ms; seed of every random stream; threads: worker threads (0: all cores, as the command
    line; results are bitwise identical for any number); out: a folder for the files recorded
    with a file name (relative names are resolved there) and for ``summary.json``, written by
    :meth:`finish` as ``leinao run`` writes it (without `out`, relative files go to the current
    folder and no summary file is written); overwrite: replace existing results in `out`.

    Declare the network (:meth:`population`, :meth:`connect`, :meth:`record_spikes`,
    :meth:`record`, or :meth:`load` a model file), then :meth:`run` any number of times: the
    first run builds it (connections, initial state, files). After that, parameters can change
    between runs (:meth:`Population.set`) but the network cannot. :meth:`finish` closes the
    files; :meth:`close` frees everything (also on ``with`` exit and when garbage collected).

    While running, the GIL is released (other Python threads go on) and Ctrl-C stops the run
    at the end of the current slice with KeyboardInterrupt: what was recorded until then stays
    readable and files stay valid; a later :meth:`run` continues.
    """

    def __init__(self, dt=0.1, seed=12345, threads=0, out=None, overwrite=False, name=None,
                 duration=None):
        self._h = _leinao.Handle()
        self._given = {"dt": dt != 0.1, "seed": seed != 12345, "threads": threads != 0}
        self.dt = float(dt)
        self.seed = int(seed)
        self.threads = int(threads)
        if duration is None:  # not used by run(ms); a multiple of dt near the default 1000 ms
            duration = self.dt * max(1, round(1000.0 / self.dt))
        self._h.configure(self.dt, float(duration), self.seed, self.threads)
        self._given["duration"] = False
        if name is not None:
            self._h.set_name(name)
        self.out, self.overwrite = out, bool(overwrite)
        self.populations = {}
        self.projections = []
        self._recordings = []
        self._state_count = 0
        self._built = False
        self._loaded = False

    # -- context manager and lifetime
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def close(self):
        """Frees the simulation; closes its files (without summary.json unless finished)."""
        self._h.close()

    def __repr__(self):
        return (f"<leinao.Simulator: {len(self.populations)} populations, "
                f"{len(self.projections)} projections, t = {self.t} ms>")

    def __getitem__(self, name):
        return self.populations[name]

    @property
    def t(self):
        """Model time reached, ms."""
        return self._h.run_stats()["t_simulated"] if self._built else 0.0

    # -- declaring
    def load(self, path, overrides=None):
        """Declares the settings, populations, projections and recordings of a model file
        (YAML or JSON), as ``leinao run`` reads it. `overrides`: ``{"simulation.duration": 200}``
        or ``["simulation.duration=200", ...]`` (the command line's ``--set``). The dt, seed and
        threads given to the Simulator (when not the defaults) override the file's. Returns
        the populations, a dict by name. Only on a fresh Simulator. Raises ModelError (the
        message names file:line:column, key and rule), NotFoundError, FileError."""
        if self.populations or self._loaded:
            raise StateError("load() needs a fresh Simulator (nothing declared yet)")
        if isinstance(overrides, dict):
            overrides = [f"{k}={_yaml_scalar(v)}" for k, v in overrides.items()]
        overrides = list(overrides or [])
        keys = {o.split("=", 1)[0].strip() for o in overrides}
        for setting in ("dt", "seed", "threads"):
            if self._given[setting] and f"simulation.{setting}" not in keys:
                overrides.append(f"simulation.{setting}={getattr(self, setting)}")
        self._h.load_model(str(path), overrides)
        self._loaded = True
        for pid in range(self._h.population_count()):
            s = self._h.population_stats(pid)
            self.populations[s["name"]] = Population(self, pid, s["name"], s["model"], s["size"])
        pops = list(self.populations.values())
        for k in range(self._h.projection_count()):
            s = self._h.projection_stats(k)
            self.projections.append(Projection(self, k, pops[s["source"]], pops[s["target"]]))
        i = 0
        while (r := self._h.recording(i)) is not None:
            if r[1] == "state":
                self._state_count += 1
            i += 1
        return dict(self.populations)

    def population(self, model, n, params=None, init=None, name=None):
        """Adds `n` elements of `model` (``leinao.models()``; NEST's names, e.g.
        "iaf_psc_alpha", "poisson_generator"). `params`: {name: number or NumPy array of n
        values}; `init`: {state variable: number, Distribution or array}. `name` defaults to
        "<model>_<id>". Returns a :class:`Population`."""
        if not isinstance(n, numbers.Integral) or isinstance(n, bool) or n < 0:
            raise InvalidArgumentError(f"size must be a whole number >= 1, got {n!r}")
        pid_next = self._h.population_count()
        if name is None:
            name = f"{model}_{pid_next}"
        pid = self._h.add_population(name, model, int(n))
        pop = Population(self, pid, name, model, int(n))
        self.populations[name] = pop
        if params:
            pop.set(params)
        if init:
            pop.initialize(init)
        return pop

    def connect(self, source, target, rule="all_to_all", synapse=None, weight=1.0, delay=1.0,
                sources=None, targets=None, allow_autapses=None, allow_multapses=None):
        """Connects `source` to `target` (Populations or their names) and returns a
        :class:`Projection`.

        rule: "all_to_all", "one_to_one", ("pairwise_bernoulli", p), ("fixed_indegree", K),
        ("fixed_outdegree", K), ("fixed_total_number", N), or the model file's mapping
        ``{"fixed_indegree": 100, "allow_autapses": False}``. NEST's defaults (autapses and
        multapses allowed). weight (pA, or mV for iaf_psc_delta; negative: inhibitory) and
        delay (ms, a multiple of dt): numbers or Distributions.

        Explicit synapses: ``sources=`` and ``targets=`` arrays of neuron indices (rule is then
        ignored), weight and delay numbers or arrays of the same length.

        synapse: "static_synapse" (default), "stdp_synapse", "tsodyks_synapse", or a mapping
        ``{"model": "stdp_synapse", "tau_plus": 20.0, ...}`` with the model's parameters (a
        weight or delay in it replaces the arguments)."""
        src, tgt = self._pop(source), self._pop(target)
        model, syn_params = "static_synapse", {}
        if isinstance(synapse, str):
            model = synapse
        elif isinstance(synapse, dict):
            syn_params = dict(synapse)
            model = syn_params.pop("model", "static_synapse")
            weight = syn_params.pop("weight", weight)
            delay = syn_params.pop("delay", delay)
        elif synapse is not None:
            raise TypeError(f"synapse must be a model name or a mapping, got {synapse!r}")
        if sources is not None or targets is not None:
            if sources is None or targets is None:
                raise TypeError("explicit connections need both sources and targets")
            s, t = _indices(sources, "sources"), _indices(targets, "targets")
            w = None if weight is None else (_doubles(weight) if _is_array(weight)
                                             else np.full(s.size, float(weight)))
            d = None if delay is None else (_doubles(delay) if _is_array(delay)
                                            else np.full(s.size, float(delay)))
            pid = self._h.connect_explicit(src.id, tgt.id, s, t, w, d)
        else:
            if _is_array(weight) or _is_array(delay):
                raise TypeError("arrays of weights or delays need explicit sources and targets")
            pid = self._h.connect(src.id, tgt.id, _rule(rule, allow_autapses, allow_multapses),
                                  _dist(weight, "weight"), _dist(delay, "delay"))
        proj = Projection(self, pid, src, tgt)
        self.projections.append(proj)
        if model != "static_synapse":
            self._h.set_synapse(pid, model)
        if syn_params:
            self._h.set_synapse_params(pid, list(syn_params), [float(v) for v in syn_params.values()])
        return proj

    def _pop(self, p):
        if isinstance(p, Population):
            if p.sim is not self:
                raise InvalidArgumentError(f"population {p.name!r} belongs to another Simulator")
            return p
        try:
            return self.populations[p]
        except KeyError:
            raise NotFoundError(f"no population named {p!r}") from None

    def record_spikes(self, pops, file=None, format=None):
        """Records the spikes of a population (or a list of them). Without `file`: in memory,
        for :meth:`Population.spikes`. With `file`: into that file (relative to `out`), SONATA
        HDF5 or CSV by `format` or the extension (.csv); several populations may share a file,
        as in a model file. Before the first run."""
        pops = pops if isinstance(pops, (list, tuple)) else [pops]
        for p in pops:
            p = self._pop(p)
            if file is None:
                self._h.record_spikes(p.id, None, "memory")
            else:
                fmt = format or ("csv" if str(file).endswith(".csv") else "sonata")
                self._h.record_spikes(p.id, str(file), fmt)

    def record(self, pop, variables, interval=None, neurons=None, file=None, format=None):
        """Records state variables (NEST's names, e.g. ["V_m"] or "V_m") of `pop` every
        `interval` ms (default dt), of the neurons `neurons` (indices; default all). Without
        `file`, in memory: returns a :class:`StateRecording` whose arrays grow with every run.
        With `file`: a SONATA frame report (or CSV) as the command line writes it (returns
        None)."""
        p = self._pop(pop)
        if isinstance(variables, str):
            variables = [variables]
        if interval is None:
            if self._loaded and not self._given["dt"]:
                raise TypeError("record() after load() needs interval= (the file sets dt)")
            interval = self.dt
        idx = None if neurons is None else _indices(neurons, "neurons")
        if file is None:
            self._h.record_state(p.id, list(variables), idx, float(interval), None, "memory")
        else:
            fmt = format or ("csv" if str(file).endswith(".csv") else "sonata")
            self._h.record_state(p.id, list(variables), idx, float(interval), str(file), fmt)
        index = self._state_count
        self._state_count += 1
        if file is not None:
            return None
        rec = StateRecording(self, index, p, variables,
                             np.arange(p.size, dtype=np.uint32) if idx is None else idx)
        self._recordings.append(rec)
        return rec

    def reserve_max_delay(self, ms):
        """Makes the network hold delays up to `ms` (rounded up to steps) even where no synapse
        declared has one, so that :meth:`Projection.set_connections` may set them later
        (NEST's and PyNN's max_delay). Results do not change. Before the build."""
        self._h.reserve_max_delay(float(ms))

    def set_transient(self, ms):
        """Leaves spikes before `ms` out of the rates and CV of ISI in the summary."""
        self._h.set_transient(float(ms))

    def set_rate_guard(self, min_rate, max_rate, window, pop=None):
        """Stops a run with GuardError when a population's mean rate over `window` ms leaves
        [min_rate, max_rate] Hz (every population of neurons when `pop` is None)."""
        pid = -1 if pop is None else self._pop(pop).id
        self._h.set_rate_guard(pid, float(min_rate), float(max_rate), float(window))

    def estimate(self):
        """Size and memory of the network, computed without building it (a dict)."""
        return self._h.estimate()

    # -- running
    def build(self):
        """Creates connections, initial state and files; the first :meth:`run` calls it."""
        if self._built:
            return
        if self.out is not None:
            self._h.set_output_dir(str(self.out), self.overwrite)
        self._h.build()
        self._built = True

    def run(self, ms=None, progress=None):
        """Simulates `ms` more milliseconds (a multiple of dt), from where the last run stopped:
        any number of runs give the same results, bit for bit, as one run of the total time.
        Without `ms`: up to the duration of a loaded model file. `progress`: called as
        progress(t, duration, wall_seconds, spikes) about 20 times a second; an exception it
        raises stops the run. The GIL is released while running; Ctrl-C raises
        KeyboardInterrupt at the end of the current slice, keeping what was recorded. Raises
        NumericError, GuardError, FileError."""
        self.build()
        if ms is None:
            self._h.run(progress)
        else:
            self._h.simulate(float(ms), progress)

    def finish(self):
        """Closes the output files and writes ``summary.json`` into `out` (as ``leinao run``
        does). No run may follow; results stay readable."""
        self.build()
        self._h.finish()

    # -- results
    def summary(self):
        """The run as a dict: name, seed, threads, neurons, synapses, events, timings (build_wall,
        run_wall, ... in s), t_simulated (ms), real_time_factor, events_per_second, peak_bytes,
        interrupted; "populations": {name: {model, size, spikes, rate (Hz), cv_isi}} and
        "projections": [{source, target (names), synapse_model, synapses, weights}]."""
        s = self._h.run_stats()
        s["populations"] = {}
        names = list(self.populations)
        for pid in range(self._h.population_count()):
            p = self._h.population_stats(pid)
            s["populations"][p.pop("name")] = p
        s["projections"] = []
        for k in range(self._h.projection_count()):
            p = self._h.projection_stats(k)
            p["source"], p["target"] = names[p["source"]], names[p["target"]]
            s["projections"].append(p)
        return s


def _yaml_scalar(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)
