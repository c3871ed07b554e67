"""Writes to the catalogue, one module per job; callers import from the module.

- items: an item's create/update/save through one check of every rule, status in bulk, delete
- importing: an Excel import, from the file to the written plan
- import_batches: the record of a confirmed import (batch, links, history) in bulk
- roles: the role groups and their permissions
- demo_load: the demo catalogue
"""
