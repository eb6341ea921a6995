/**
 * Public face of the cluster stage. Contract fixed early; implementation lands with issue #6.
 */
import type { ArtifactStore } from '../core/store.ts';
import { NotBuiltError } from '../core/errors.ts';

export interface Clustering {
  kind: 'semantic' | 'performance' | 'category';
  k: number;
  /** Cluster of every prompt (dataset item order); -1 = not assigned (e.g. zero-variance prompt for performance clusters). */
  assignments: Int32Array;
  sizes: number[];
  /** Mean silhouette of the chosen clustering (null for given categories). */
  silhouette: number | null;
  /** Short human label per cluster (category name, or distinctive words). */
  labels: string[];
}

export interface Clusterings {
  semantic: Clustering | null;
  performance: Clustering | null;
  category: Clustering | null;
}

export async function loadClusterings(_store: ArtifactStore, _bench: string): Promise<Clusterings> {
  throw new NotBuiltError('loading clusterings (issue #6)');
}
