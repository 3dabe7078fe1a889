import type { EvalScoredResponse } from 'aymara-ai';
import { contentText } from './output.js';

/** What `compare` keeps of each response: enough to pair, count and explain, not the whole body. */
export type SlimResponse = Pick<
  EvalScoredResponse,
  'prompt_uuid' | 'is_passed' | 'exclude_from_scoring' | 'ai_refused' | 'content_type' | 'explanation' | 'confidence'
> & {
  /** The content as text, clipped: reports show the start of it. */
  content: string;
};

/** Longest content kept per response for the reports. */
const CONTENT_KEPT = 2000;

export function slim(r: EvalScoredResponse): SlimResponse {
  const content = contentText(r.content);
  return {
    prompt_uuid: r.prompt_uuid,
    is_passed: r.is_passed,
    exclude_from_scoring: r.exclude_from_scoring,
    ai_refused: r.ai_refused,
    content_type: r.content_type,
    explanation: r.explanation,
    confidence: r.confidence,
    content: content.length > CONTENT_KEPT ? content.slice(0, CONTENT_KEPT) : content,
  };
}
