// The Node peer of bench/bpm_bench.py: instances/s of a BPMN process of user tasks run by the
// npm package bpmn-engine, with the engine state saved after every step.
//
//   node run.js <process.bpmn> <seconds> [<steps>] [<warm-up seconds>]
//
// Each instance: `execute` until the first user task waits, then save; each step: a new
// Engine `recover`s the saved state, `resume`s, signals the waiting user task, runs to the next
// wait (or the end), and the state is saved again. "Saved" = `JSON.stringify(await
// engine.getState())` stored in a Map keyed by instance id (in memory: no disk, no database,
// which favours the peer). Instances run one after another, like Greenwave's side. Before the
// timed run, instances run untimed for the warm-up (at least one), so that V8 has compiled the
// hot code: bench/bpm_bench.py times the peer in short windows, one process each. Prints one
// JSON object: {"instances": n, "seconds": s, "per_s": n / s, ...}.

import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';

import { Engine } from 'bpmn-engine';

const [xmlPath, secondsArg = '3', stepsArg = '10', warmArg = '0'] = process.argv.slice(2);
if (!xmlPath) {
  console.error('usage: node run.js <process.bpmn> <seconds> [<steps>]');
  process.exit(2);
}
const source = readFileSync(xmlPath, 'utf8');
const seconds = Number(secondsArg);
const steps = Number(stepsArg);
const warmSeconds = Number(warmArg);
const store = new Map(); // instance id -> saved state (a JSON string)
const silent = () => {};
const quietLogger = () => ({ debug: silent, error: silent, warn: silent });

// Start (`begin`) and run `engine` until a user task other than `signalling` waits, or the
// process ends; `signalling` (the task waiting in the saved state, announced again on resume)
// is signalled when it shows up. Resolves with the id of the waiting task or null at the end.
function advance(engine, begin, signalling = null, data = {}) {
  return new Promise((resolve, reject) => {
    const listener = new EventEmitter();
    listener.on('wait', (api) => {
      if (api.id === signalling) api.signal(data);
      else resolve(api.id);
    });
    engine.once('end', () => resolve(null));
    engine.once('error', reject);
    begin(listener).catch(reject);
  });
}

async function save(id, engine, waiting) {
  store.set(id, JSON.stringify(await engine.getState()));
  if (waiting !== null) await engine.stop();
}

async function oneInstance(id) {
  const first = new Engine({ name: id, source, Logger: quietLogger });
  let waiting = await advance(first, (listener) => first.execute({ listener }));
  await save(id, first, waiting);
  let done = 0;
  while (waiting !== null) {
    const engine = new Engine({ name: id, Logger: quietLogger }).recover(JSON.parse(store.get(id)));
    waiting = await advance(engine, (listener) => engine.resume({ listener }), waiting, { step: done });
    await save(id, engine, waiting);
    done += 1;
  }
  if (done !== steps) throw new Error(`instance ${id}: ${done} steps, expected ${steps}`);
  store.delete(id);
}

const { version } = JSON.parse(
  readFileSync(new URL('./node_modules/bpmn-engine/package.json', import.meta.url), 'utf8')
);

const warmStarted = process.hrtime.bigint();
let warmups = 0;
do {
  await oneInstance(`warmup${warmups}`);
  warmups += 1;
} while (Number(process.hrtime.bigint() - warmStarted) / 1e9 < warmSeconds);
let count = 0;
const started = process.hrtime.bigint();
let elapsed = 0;
while (elapsed < seconds) {
  await oneInstance(`i${count}`);
  count += 1;
  elapsed = Number(process.hrtime.bigint() - started) / 1e9;
}
console.log(
  JSON.stringify({
    engine: 'bpmn-engine',
    version,
    node: process.version,
    instances: count,
    seconds: elapsed,
    per_s: count / elapsed,
    steps,
    state_store: 'Map (JSON string per instance, in memory)',
  })
);
