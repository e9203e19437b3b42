"""The terminal's screens (PySide6): thin layers over `app.services`. Qt is imported through
`app.ui.qt` only; service calls run on worker threads through `app.ui.tasks.TaskRunner`."""
