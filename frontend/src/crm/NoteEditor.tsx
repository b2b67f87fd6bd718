// A small rich-text editor for notes: bold, italic, lists and links on a contentEditable box. Its HTML goes
// to the API as it is; the API sanitizes it (an allowlist of tags) before storing, and the timeline shows
// the sanitized HTML. (A full editor such as Tiptap would triple this screen's JavaScript for four marks.)
import { ActionIcon, Group, Input, Tooltip } from "@mantine/core";
import { IconBold, IconItalic, IconLink, IconList, IconListNumbers } from "@tabler/icons-react";
import { forwardRef, useImperativeHandle, useRef, type ReactNode } from "react";

export interface NoteEditorHandle {
  html: () => string;
  text: () => string;
  clear: () => void;
  focus: () => void;
}

const TOOLS: { command: string; label: string; icon: ReactNode; shortcut?: string }[] = [
  { command: "bold", label: "Bold", icon: <IconBold size={16} />, shortcut: "Ctrl+B" },
  { command: "italic", label: "Italic", icon: <IconItalic size={16} />, shortcut: "Ctrl+I" },
  { command: "insertUnorderedList", label: "Bulleted list", icon: <IconList size={16} /> },
  { command: "insertOrderedList", label: "Numbered list", icon: <IconListNumbers size={16} /> },
];

export const NoteEditor = forwardRef<NoteEditorHandle, { label: string; error?: string; onInput?: () => void }>(
  function NoteEditor({ label, error, onInput }, ref) {
    const box = useRef<HTMLDivElement>(null);
    useImperativeHandle(ref, () => ({
      html: () => box.current?.innerHTML ?? "",
      text: () => box.current?.innerText.trim() ?? "",
      clear: () => {
        if (box.current) box.current.innerHTML = "";
      },
      focus: () => box.current?.focus(),
    }));
    const run = (command: string, value?: string) => {
      box.current?.focus();
      // execCommand is deprecated but still the one editing primitive every browser ships.
      document.execCommand(command, false, value);
      onInput?.();
    };
    return (
      <Input.Wrapper label={label} error={error}>
        <div className="note-editor" data-error={!!error}>
          <Group gap={2} className="note-toolbar" role="toolbar" aria-label="Formatting">
            {TOOLS.map((tool) => (
              <Tooltip key={tool.command} label={tool.shortcut ? `${tool.label} (${tool.shortcut})` : tool.label}>
                <ActionIcon
                  variant="subtle"
                  color="gray"
                  aria-label={tool.label}
                  onMouseDown={(event) => event.preventDefault()}
                  onClick={() => run(tool.command)}
                >
                  {tool.icon}
                </ActionIcon>
              </Tooltip>
            ))}
            <Tooltip label="Link">
              <ActionIcon
                variant="subtle"
                color="gray"
                aria-label="Link"
                onMouseDown={(event) => event.preventDefault()}
                onClick={() => {
                  const address = window.prompt("Link address (https://…)");
                  if (address && /^https?:\/\//i.test(address)) {
                    run("createLink", address);
                  }
                }}
              >
                <IconLink size={16} />
              </ActionIcon>
            </Tooltip>
          </Group>
          <div
            ref={box}
            className="note-body"
            contentEditable
            role="textbox"
            aria-multiline="true"
            aria-label={label}
            aria-invalid={!!error}
            tabIndex={0}
            onInput={onInput}
            suppressContentEditableWarning
          />
        </div>
      </Input.Wrapper>
    );
  },
);
