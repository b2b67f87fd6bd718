import { Alert, Button, Center, Stack } from "@mantine/core";
import { IconAlertTriangle } from "@tabler/icons-react";
import { messageOf } from "../api/client";

export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  return (
    <Center p="xl">
      <Stack maw={520} w="100%">
        <Alert color="red" icon={<IconAlertTriangle />} title="Something went wrong" role="alert">
          {messageOf(error)}
        </Alert>
        {onRetry && (
          <Button variant="light" onClick={onRetry} w="fit-content">
            Try again
          </Button>
        )}
      </Stack>
    </Center>
  );
}
