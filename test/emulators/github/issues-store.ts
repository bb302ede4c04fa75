// Issues, labels and comments of each repository: the subset a bot uses to open, update, label,
// comment on and close one issue per problem.
import { type GitHubState, type Repo, repoKey } from './state.ts';

export type IssueState = 'open' | 'closed';
export type StateReason = 'completed' | 'not_planned' | 'reopened' | 'duplicate';

export interface Label {
  id: number;
  name: string;
  color: string;
  description: string | null;
}

export interface IssueComment {
  id: number;
  body: string;
  user: string;
  createdAt: number;
  updatedAt: number;
}

export interface Issue {
  id: number;
  number: number;
  title: string;
  body: string | null;
  state: IssueState;
  stateReason: StateReason | null;
  /** Label ids, in the order they were applied. */
  labels: number[];
  assignees: string[];
  user: string;
  locked: boolean;
  createdAt: number;
  updatedAt: number;
  closedAt: number | null;
  closedBy: string | null;
  comments: IssueComment[];
}

export interface RepoIssues {
  issues: Issue[];
  labels: Label[];
}

export interface IssuesStore {
  repos: Map<string, RepoIssues>;
  next: { issueId: number; labelId: number; commentId: number };
}

export function newIssuesStore(): IssuesStore {
  return { repos: new Map(), next: { issueId: 2100000001, labelId: 7300000001, commentId: 1900000001 } };
}

export function repoIssues(state: GitHubState, repo: Repo): RepoIssues {
  const key = repoKey(repo.owner, repo.name);
  let r = state.issues.repos.get(key);
  if (!r) {
    r = { issues: [], labels: [] };
    state.issues.repos.set(key, r);
  }
  return r;
}

export function findLabel(r: RepoIssues, name: string): Label | undefined {
  const n = name.toLowerCase();
  return r.labels.find((l) => l.name.toLowerCase() === n);
}

// GitHub picks a colour for labels created on use; any stable one will do.
const COLORS = ['ededed', 'd73a4a', '0075ca', 'a2eeef', '7057ff', '008672', 'e4e669', 'd876e3'];

export function createLabel(state: GitHubState, r: RepoIssues, name: string, color?: string, description?: string | null): Label {
  const label: Label = {
    id: state.issues.next.labelId++,
    name,
    color: color ?? (COLORS[r.labels.length % COLORS.length] as string),
    description: description ?? null,
  };
  r.labels.push(label);
  return label;
}

/** The labels by name, creating missing ones as GitHub does when an issue is labelled on create or update. */
export function labelsOnUse(state: GitHubState, r: RepoIssues, names: string[]): number[] {
  const ids: number[] = [];
  for (const name of names) {
    const label = findLabel(r, name) ?? createLabel(state, r, name);
    if (!ids.includes(label.id)) ids.push(label.id);
  }
  return ids;
}
