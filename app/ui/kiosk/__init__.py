"""The self-service kiosk's front end (PySide6): its window, screens, widgets and texts, over
app/services/kiosk.py. Started by `madoguchi --kiosk` / `madoguchi kiosk run` (app/ui/kiosk/app.py)."""
