// The `/import` route: the wizard is its own chunk, loaded when a person first opens it.
import { Center, Loader } from "@mantine/core";
import { lazy, Suspense } from "react";

const ImportPage = lazy(() => import("./ImportPage"));

export function ImportRoute() {
  return (
    <Suspense
      fallback={
        <Center py="xl">
          <Loader aria-label="Loading" />
        </Center>
      }
    >
      <ImportPage />
    </Suspense>
  );
}
