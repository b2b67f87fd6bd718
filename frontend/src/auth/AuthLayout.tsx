import { Center, Group, Paper, Stack, Text, ThemeIcon, Title } from "@mantine/core";
import type { ReactNode } from "react";

export function AuthLayout({
  title,
  workspaceName,
  children,
}: {
  title: string;
  workspaceName?: string;
  children: ReactNode;
}) {
  return (
    <Center mih="100vh" p="md" bg="gray.0">
      <Stack w="100%" maw={420} gap="lg">
        <Group gap="xs" justify="center">
          <ThemeIcon size="lg" radius="md" aria-hidden>
            <Text fw={800}>R</Text>
          </ThemeIcon>
          <Text fw={700} size="lg">
            Rapport
          </Text>
        </Group>
        <Paper withBorder shadow="sm" p="xl" radius="md">
          <Stack gap="md">
            <div>
              <Title order={1} size="h3">
                {title}
              </Title>
              {workspaceName && (
                <Text c="dimmed" size="sm">
                  {workspaceName}
                </Text>
              )}
            </div>
            {children}
          </Stack>
        </Paper>
      </Stack>
    </Center>
  );
}
