"""discolab: machine-checked scientific discovery."""

__version__ = "0.1.0"
