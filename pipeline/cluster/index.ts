/**
 * Public face of the cluster stage: the clusterings of the benchmark's prompts (semantic,
 * performance, given categories) and `loadClusterings` to read them back.
 */
import type { ArtifactStore } from '../core/store.ts';
import { CovaryError } from '../core/errors.ts';

export interface Clustering {
  kind: 'semantic' | 'performance' | 'category' | 'inference';
  k: number;
  /** Cluster of every prompt (dataset item order); -1 = not assigned (e.g. zero-variance prompt for performance clusters). */
  assignments: Int32Array;
  sizes: number[];
  /** Mean silhouette of the chosen clustering (null for given categories). */
  silhouette: number | null;
  /** Short human label per cluster (category name, or distinctive words). */
  labels: string[];
  /** Per cluster, the item nearest its centroid (representative prompt); absent for categories. */
  medoids?: number[];
  /** How k was set: given with --k, best mean silhouette, or the metadata's categories. */
  kSelection?: 'given' | 'silhouette' | 'metadata';
  /** Mean silhouette per candidate k (the search). */
  silhouetteByK?: { k: number; silhouette: number }[];
  /** Number of points the silhouettes were computed on (a seeded sample when n is large). */
  silhouettePoints?: number;
  /** Adjusted Rand index between k-means runs with different seeds. */
  stability?: { meanAri: number; minAri: number; restarts: number } | null;
  /** Semantic clusters: most distinctive words per cluster. */
  words?: string[][];
  /** Semantic clusters: opening words of the prompts nearest the centroid. */
  examples?: string[][];
  /** Prompts left unassigned (-1). */
  unassigned?: number;
  /** Category clusters: the metadata field used. */
  field?: string;
  /** Inference partition: what it was built from, and why (goes into the methods text). */
  basis?: 'semantic' | 'category' | 'performance';
  reason?: string;
}

export interface Clusterings {
  semantic: Clustering | null;
  performance: Clustering | null;
  category: Clustering | null;
  /**
   * The partition used for uncertainty (CR1, cluster bootstrap), chosen for validity rather than
   * display: enough clusters for cluster-robust inference. Absent in cluster results made before it existed.
   */
  inference?: Clustering | null;
}

/** A clustering as stored in cluster.json (assignments live in a binary). */
export type ClusteringSummary = Omit<Clustering, 'assignments'>;

export interface ClusterResult {
  semantic: ClusteringSummary | null;
  performance: ClusteringSummary | null;
  category: ClusteringSummary | null;
  inference?: ClusteringSummary | null;
  /** Why a clustering is absent, and other plain-language notes. */
  notes: string[];
}

export const CLUSTER_KINDS = ['semantic', 'performance', 'category', 'inference'] as const;

/** The clusterings of a benchmark (each null when it could not be made). Throws when the stage was not run. */
export async function loadClusterings(store: ArtifactStore, bench: string): Promise<Clusterings> {
  const art = await store.requireStage<ClusterResult>(bench, 'cluster', 'loading clusterings');
  const out: Clusterings = { semantic: null, performance: null, category: null, inference: null };
  for (const kind of CLUSTER_KINDS) {
    const summary = art.result[kind];
    if (!summary) continue;
    const ref = art.binaries[`${kind}Assignments`];
    if (!ref) throw new CovaryError(`cluster result lists a ${kind} clustering without its assignments`, { file: store.stagePath(bench, 'cluster') }, `re-run covary cluster --name ${bench} --force`);
    const assignments = (await store.readBinary(bench, ref)) as Int32Array;
    out[kind] = { ...summary, assignments };
  }
  return out;
}

export { computeClusterings } from './clusterings.ts';
export type { ClusteringInputs, ClusteringOptions } from './clusterings.ts';
