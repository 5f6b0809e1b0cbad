"""The constants-campaign hub: config (``[constants]`` tables), the runner that drives the
enumeration / ESMA / CMF searches and stores every verified formula once, the CLI views, and
the ``constants-v1`` benchmark scoring."""
