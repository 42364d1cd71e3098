// `npm run fuzz -- [--seed N] [--runs K] [--engine [--real-chain] [--size S]] [--max-commands M] [--path P]`: more
// sequences of the state-machine test than CI runs. Prints each failing sequence (shrunk) with its seed and replay
// path (--path replays that one sequence), the sequences, steps, runs, refusals and faults, and seconds. The pure
// layer by default; --engine runs the engine layer (real `pulumi preview`/`up`, local Okta), --real-chain that
// layer with a real Vault and cluster (Deployments, the pods' credentials checked).
import fc from "fast-check";
import { commands, setup, stats } from "./model";
import { runEngineLayer } from "./engine";
import { runRealChainLayer } from "./realChain";

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<number> {
  const seed = Number(flag("seed") ?? Date.now() % 2 ** 31);
  const engine = process.argv.includes("--engine");
  const runs = Number(flag("runs") ?? (engine ? 3 : 10_000));
  const maxCommands = Number(flag("max-commands") ?? (engine ? 6 : 30));
  const started = Date.now();
  const path = flag("path");
  if (engine) {
    const realChain = process.argv.includes("--real-chain");
    const run = realChain ? runRealChainLayer : runEngineLayer;
    // fast-check's size for the sequences' length (e.g. `max` for sequences near --max-commands).
    const size = flag("size") as fc.SizeForArbitrary | undefined;
    const { failure, steps, kills } = await run(seed, runs, maxCommands, (l) => console.log(l), path, size);
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    console.log(
      `engine layer${realChain ? " (real chain)" : ""}: seed ${seed}, ${runs} sequences, ${steps} steps ` +
        `(${kills} killed up), ${secs} s`,
    );
    if (failure) console.log(failure);
    return failure ? 1 : 0;
  }
  let steps = 0;
  const out = fc.check(
    fc.property(fc.commands(commands, { maxCommands }), (cmds) => {
      steps += [...cmds].length;
      fc.modelRun(setup, cmds);
    }),
    { seed, numRuns: runs, ...(path !== undefined ? { path } : {}) },
  );
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    `pure layer: seed ${seed}, ${out.numRuns} sequences, ${steps} steps (shrinking included), ${secs} s`,
  );
  console.log(
    `  ${stats.runs} runs: ${stats.applied} applied, ${stats.refused} refused (${stats.refusedAtOnboarding} by ` +
      `the first run's lookup, ${stats.refusedAtKeyStart} by a key rotation's start); ${stats.faults} with a fault, ${stats.stopped} stopped part-way ` +
      `(${stats.lostAnswers} after Okta did the call), each completed by the same config's next run ` +
      `(${stats.completed})`,
  );
  console.log(
    `  key runs: ${stats.keyRuns} finished (${stats.migrations} switches to private_key_jwt, ` +
      `${stats.keyRotations} key rotations, ${stats.switchesBack} switches back to a client secret); ` +
      `${stats.keyFaults} stopped part-way by a fault`,
  );
  if (out.failed) {
    console.log(fc.defaultReportMessage(out));
    console.log(String(out.errorInstance));
    console.log(
      `replay: npm run fuzz -- --seed ${seed} --runs ${runs} --max-commands ${maxCommands}` +
        (out.counterexamplePath ? ` --path ${out.counterexamplePath}` : ""),
    );
  }
  return out.failed ? 1 : 0;
}

main().then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  },
);
