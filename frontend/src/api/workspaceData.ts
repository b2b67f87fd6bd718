// Workspace-wide look-ups many screens share: members (for owners' names) and pipelines.
import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "./client";
import { keys } from "./keys";

export function useMembers() {
  return useQuery({
    queryKey: keys.members,
    queryFn: () => unwrap(api.GET("/api/v1/members", { params: { query: { limit: 200 } } })),
    staleTime: 5 * 60_000,
  });
}

/** user id → email of the workspace's members (the first 200). */
export function useMemberEmails(): Map<string, string> {
  const members = useMembers();
  return new Map((members.data?.items ?? []).map((member) => [member.user_id, member.email]));
}

export function usePipelines() {
  return useQuery({
    queryKey: keys.pipelines,
    queryFn: () => unwrap(api.GET("/api/v1/pipelines")),
    staleTime: 5 * 60_000,
  });
}
