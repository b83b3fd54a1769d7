"""Experiments: many runs compared (sweeps, presets, the stacked multi-run trainer).

Kept light on purpose: importing the package loads nothing heavy; import the modules
where they are needed. The public parts:

- sweep.py: plan_sweep(base, vary, target_loss=None, keep_lr=False, seeds=1,
  tune_lr=False, absolute=False) -> SweepPlan (runs: RunPlan(index, values, spec,
  variant, trial); seeds, lr_factors, repeated); parse_values(name, text);
  group_runs(plan); run_sweep(plan, on_record=, on_finished=, control=) -> SweepResult
  (results: RunResult(run, records, finished, weights, stacked, together); table(), one
  row per run; summary(), one row per variant: means over seeds at its chosen lr, with
  `<figure>_sd`; chosen_lrs(); to_csv()); record_of(); table_columns(); cell_text();
  rows_to_csv(); MAX_RUNS, LR_FACTORS.
- variables.py: VARIABLES (name -> Variable: parse, apply, choices, example) and the
  spec edits they make (with_optimizer, with_momentum, with_init, with_activation,
  with_batchnorm, with_dropout).
- presets.py: PRESETS (name -> Preset: title, question, setting, claim, base(), vary,
  columns, judge, target_loss, keep_lr, tune_lr, lr_grid; caption(), plan(),
  verdict(summary) -> Verdict(agrees, evidence, reason; to_record())), preset(name),
  DEFAULT_SEEDS.
- batched.py: BatchedTrainer(specs, data=, control=, on_epoch=, on_finished=) trains
  runs sharing data and architecture as one stacked model (fit(), histories,
  module(i)); refusal(spec) says why a run cannot stack; shared_key(spec).
- batched_optim.py: StackedUpdate, the per-run optimizer updates (BATCHED_OPTIMIZERS).
"""
