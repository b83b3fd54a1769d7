"""torch.optim without the 1.4 s import of torch._dynamo, and its step without wrappers.

torch.optim defers `import torch._dynamo` to the first call of any optimizer method
marked "not for the compiler" (construction's add_param_group, zero_grad, state_dict,
load_state_dict) and to every step() (which calls torch._dynamo.graph_break()). That
import took about 1.45 s here: the wait between pressing Train and the first epoch, paid
again in every process of a sweep. Both markers only matter while torch.compile traces,
and nothing can be traced before torch._dynamo is imported. So:

- install() gives each of those methods a stand-in for the compiler-disabled version
  that calls the method directly while torch._dynamo is not imported, and swaps itself
  for the real torch._dynamo.disable(...) from the first call after it is (by anyone);
- eager_step(optimizer) returns the optimizer's own step function without the two
  wrappers torch adds (the profiler's record_function with the step hooks, and the
  grad-mode / graph-break wrapper): the same kernels on the same tensors, bit for bit,
  a few microseconds cheaper per update. It falls back to the public step() whenever
  step hooks are registered or a wrapper is not the one expected.
"""
from __future__ import annotations

import sys
from typing import Any, Callable

import torch
import torch.optim.optimizer as _optimizer

_DISABLED = torch._disable_dynamo(lambda: None).__code__        # noqa: SLF001
_GRAD_WRAPPER = _optimizer._use_grad_for_differentiable(lambda *a: None).__code__
_HOOK_WRAPPER = _optimizer.Optimizer.profile_hook_step(lambda *a: None).__code__
_installed = False


def install() -> int:
    """Defer torch._dynamo for every torch.optim class; idempotent. Returns how many
    methods got the stand-in."""
    global _installed
    count = 0
    classes = {_optimizer.Optimizer, *(value for value in vars(torch.optim).values()
                                       if isinstance(value, type)
                                       and issubclass(value, _optimizer.Optimizer))}
    for cls in classes:
        for method in vars(cls).values():
            if getattr(method, "__code__", None) is not _DISABLED:
                continue
            raw = getattr(method, "__wrapped__", None)
            if raw is not None and getattr(raw, "__dynamo_disable", None) is None:
                raw.__dynamo_disable = _until_dynamo(raw)
                count += 1
    _installed = True
    return count


def _until_dynamo(fn: Callable[..., Any]) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        if "torch._dynamo" not in sys.modules:  # nothing can be compiling: call it
            return fn(*args, **kwargs)
        import torch._dynamo  # waits for an import under way in another thread

        real = torch._dynamo.disable(fn, True, wrapping=False)
        fn.__dynamo_disable = real  # from now on torch calls the real one directly
        return real(*args, **kwargs)
    return call


def eager_step(optimizer: torch.optim.Optimizer) -> Callable[..., Any]:
    """A function doing optimizer.step(*args): the class's own step, unwrapped where
    that is safe, run with gradients off as torch's wrapper would (differentiable=False)."""
    if (optimizer.defaults.get("differentiable") or _optimizer._global_optimizer_pre_hooks
            or _optimizer._global_optimizer_post_hooks
            or optimizer._optimizer_step_pre_hooks or optimizer._optimizer_step_post_hooks):
        return optimizer.step
    step = type(optimizer).step
    unwrapped = 0
    while getattr(step, "__code__", None) in (_HOOK_WRAPPER, _GRAD_WRAPPER):
        if step.__code__ is _GRAD_WRAPPER:
            unwrapped += 1
        step = step.__wrapped__
    if unwrapped != 1:  # a step without torch's grad wrapper (L-BFGS has its own no_grad)
        return optimizer.step
    set_grad, grad_enabled = torch._C._set_grad_enabled, torch._C.is_grad_enabled

    def run(*args: Any) -> Any:
        previous = grad_enabled()
        set_grad(False)
        try:
            return step(optimizer, *args)
        finally:
            set_grad(previous)
    return run


def zero_grad(params: list[torch.Tensor]) -> None:
    """optimizer.zero_grad(set_to_none=True), for the parameters given."""
    for p in params:
        p.grad = None
