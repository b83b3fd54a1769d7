"""Experiments: many runs compared (sweeps, presets, the stacked multi-run trainer).

Kept light on purpose: importing the package loads nothing heavy; import the modules
where they are needed. The public parts:

- sweep.py: plan_sweep(base, vary, target_loss=None, keep_lr=False) -> SweepPlan (runs:
  RunPlan(index, values, spec)); parse_values(name, text); group_runs(plan);
  run_sweep(plan, on_record=, on_finished=, control=) -> SweepResult (results:
  RunResult(run, records, finished, weights, stacked); table(); to_csv());
  record_of(); table_columns(); rows_to_csv(); MAX_RUNS.
- variables.py: VARIABLES (name -> Variable: parse, apply, choices, example) and the
  spec edits they make (with_optimizer, with_momentum, with_init, with_activation,
  with_dropout).
- presets.py: PRESETS (name -> Preset: title, question, expect, base(), vary, columns,
  target_loss; plan()), preset(name).
- batched.py: BatchedTrainer(specs, data=, control=, on_epoch=, on_finished=) trains
  runs sharing data and architecture as one stacked model (fit(), histories,
  module(i)); refusal(spec) says why a run cannot stack; shared_key(spec).
- batched_optim.py: StackedUpdate, the per-run optimizer updates (BATCHED_OPTIMIZERS).
"""
