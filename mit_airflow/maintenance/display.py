"""What the CLI shows a person: steps, progress of waits, warnings; rich on a terminal, plain lines in a log."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.markup import escape
from rich.status import Status


class Display:
    """Prints to one rich Console; a spinner shows progress only on an interactive terminal.

    Every change of state is also printed as a line, so a CI log or a pasted session
    shows what happened without the spinner.
    """

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(highlight=False)
        self._status: Status | None = None

    def step(self, text: str) -> None:
        """A step the command is taking."""
        self.console.print(f"[bold]→[/bold] {escape(text)}")

    def info(self, text: str) -> None:
        """Progress inside a step (a state change, a count)."""
        self.console.print(f"  {escape(text)}")

    def done(self, text: str) -> None:
        """A step that finished well."""
        self.console.print(f"[green]✓[/green] {escape(text)}")

    def warn(self, text: str) -> None:
        """Something the person must know even when the command goes on."""
        self.console.print(f"[yellow]![/yellow] {escape(text)}")

    def fail(self, text: str) -> None:
        """Something that went wrong (the command will exit non-zero)."""
        self.console.print(f"[red]✗[/red] {escape(text)}")

    def quote(self, lines: list[str]) -> None:
        """Lines from elsewhere (container logs), indented and printed verbatim."""
        for line in lines:
            self.console.print(f"    [dim]│[/dim] {escape(line)}")

    @contextmanager
    def waiting(self, what: str) -> Iterator[WaitingLine]:
        """A spinner with `what` while a wait lasts (terminal only)."""
        line = WaitingLine(self, what)
        if self.console.is_terminal:
            with self.console.status(escape(what)) as status:
                line.status = status
                yield line
        else:
            yield line


class WaitingLine:
    """The live part of a wait: `update` replaces the spinner text and prints changes once."""

    def __init__(self, display: Display, what: str) -> None:
        self.display = display
        self.what = what
        self.status: Status | None = None
        self._last: str | None = None

    def update(self, text: str) -> None:
        if self.status is not None:
            self.status.update(escape(f"{self.what}: {text}"))
        if text != self._last:
            self._last = text
            self.display.info(text)
