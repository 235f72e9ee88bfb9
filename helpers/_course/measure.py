"""Timing what the notebooks train: seconds per epoch (with an early estimate of the whole run)
and the speed of 6.6's input pipelines.  The benchmark's own measurements live in
``benchmarks/measure.py``."""

from __future__ import annotations

import time

import keras


class EpochTimer(keras.callbacks.Callback):
    """Keras callback keeping the wall-clock and CPU seconds of every epoch (``.seconds``,
    ``.cpu_seconds``); with ``estimate=True`` (the default in full mode) it prints, a few
    batches into the first epoch, how long the whole training will take on this machine."""

    WARMUP_BATCHES = 2   # the first batches include graph tracing; not timed
    TIMED_BATCHES = 5

    def __init__(self, estimate: bool | None = None):
        from . import config

        super().__init__()
        self.seconds: list[float] = []
        self.cpu_seconds: list[float] = []
        self.estimate_seconds: float | None = None
        self._estimate = (not config.is_quick()) if estimate is None else estimate
        self._start = (0.0, 0.0)
        self._batch_clock = None

    def on_epoch_begin(self, epoch, logs=None):
        self._start = (time.perf_counter(), time.process_time())

    def on_train_batch_end(self, batch, logs=None):
        if not self._estimate or self.seconds or self.estimate_seconds is not None:
            return
        if batch + 1 == self.WARMUP_BATCHES:
            self._batch_clock = time.perf_counter()
        elif batch + 1 == self.WARMUP_BATCHES + self.TIMED_BATCHES and self._batch_clock:
            per_batch = (time.perf_counter() - self._batch_clock) / self.TIMED_BATCHES
            steps, n_epochs = self.params.get("steps"), self.params.get("epochs", 1)
            if steps:
                self.estimate_seconds = per_batch * steps * n_epochs
                print(f"예상 학습 시간: 약 {format_duration(self.estimate_seconds)} "
                      f"(세대당 약 {format_duration(per_batch * steps)}, 이 기기에서 처음 배치들로 잰 값)",
                      flush=True)

    def on_epoch_end(self, epoch, logs=None):
        wall, cpu = self._start
        self.seconds.append(time.perf_counter() - wall)
        self.cpu_seconds.append(time.process_time() - cpu)


def format_duration(seconds: float) -> str:
    """Seconds as a short Korean duration: ``42초``, ``2.5분``, ``2.0시간``."""
    if seconds < 90:
        return f"{seconds:.0f}초"
    if seconds < 5400:
        return f"{seconds / 60:.1f}분"
    return f"{seconds / 3600:.1f}시간"


def images_per_second(batches, n_images: int, repeats: int = 3) -> float:
    """Images per second an input pipeline delivers, nothing else running: the best of
    ``repeats`` runs of at least ``n_images`` images (a busy machine only ever slows a run).

    ``batches()`` returns a fresh iterator of ``(images, labels)`` batches (a ``generator.flow``
    or ``iter(dataset)``); its first batch (start-up) is not timed.
    """
    if n_images < 1:
        raise ValueError(f"n_images must be at least 1, got {n_images}")
    best = 0.0
    for _ in range(repeats):
        iterator = batches()
        next(iterator)
        start, count = time.perf_counter(), 0
        while count < n_images:
            try:
                images, _ = next(iterator)
            except StopIteration:
                iterator = batches()
                continue
            count += len(images)
        best = max(best, count / (time.perf_counter() - start))
    return best


def compare_training_speed(build_model, pipelines: dict, *, steps: int, rounds: int = 3) -> dict:
    """Training samples per second with each input pipeline: ``{name: samples per second}``.

    ``pipelines`` maps a name to what ``fit`` gets (a ``tf.data.Dataset`` or a
    ``generator.flow(...)``); each trains its own ``build_model()``.  After one warm-up epoch
    each (graph tracing), the pipelines take turns for ``rounds`` short epochs of ``steps``
    batches, so a busy machine slows them all alike; each one's fastest epoch counts.
    """
    import tensorflow as tf

    if not pipelines:
        raise ValueError("compare_training_speed needs at least one pipeline, e.g. {'none': dataset}.")
    models = {name: build_model() for name in pipelines}
    best = dict.fromkeys(pipelines, 0.0)
    for round_ in range(rounds + 1):
        for name, data in pipelines.items():
            if isinstance(data, tf.data.Dataset):
                batch_size, n_steps = int(next(iter(data))[0].shape[0]), steps
            elif getattr(data, "batch_size", None):  # generator.flow(...): at most one pass per fit
                batch_size, n_steps = int(data.batch_size), min(steps, len(data))
            else:
                raise TypeError(f"compare_training_speed got {type(data).__name__}; give it a "
                                "tf.data.Dataset or an ImageDataGenerator.flow(...) iterator.")
            timer = EpochTimer(estimate=False)
            models[name].fit(data, epochs=1, steps_per_epoch=n_steps, verbose=0, callbacks=[timer], shuffle=False)
            if round_:  # round 0 traced the graph
                best[name] = max(best[name], n_steps * batch_size / timer.seconds[0])
    return best
