/** Body of an embedding worker thread: load USE lite once, then embed the batches it is sent. */
import { parentPort } from 'node:worker_threads';
import { UseLiteRunner } from './embedders/use-lite.ts';

interface EmbedMessage {
  type: 'embed';
  id: number;
  texts: string[];
  maxTokens: number;
}

const port = parentPort;
if (!port) throw new Error('use-worker-body.ts must run in a worker thread');

try {
  const runner = await UseLiteRunner.load();
  port.on('message', (m: EmbedMessage) => {
    runner.embed(m.texts, m.maxTokens).then(
      ({ vectors, tokens }) => port.postMessage({ type: 'result', id: m.id, vectors, tokens }, [vectors.buffer as ArrayBuffer, tokens.buffer as ArrayBuffer]),
      (e: unknown) => port.postMessage({ type: 'error', id: m.id, message: e instanceof Error ? e.message : String(e) }),
    );
  });
  port.postMessage({ type: 'ready' });
} catch (e) {
  port.postMessage({ type: 'error', id: null, message: `could not load the USE lite model: ${e instanceof Error ? e.message : String(e)}` });
}
