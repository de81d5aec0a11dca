# rule: an organization needs an agent type
# base: registry.ttl
# profile: registry
# expect: Violation ; ce-feae3b40-fc85-44e8-b55c-8a37303dadd0 ; - ; ceterms:agentType ; sh:MinCountConstraintComponent
PREFIX ceterms: <https://purl.org/ctdl/terms/>
PREFIX ceasn: <https://purl.org/ctdlasn/terms/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX schema: <https://schema.org/>
PREFIX res: <https://sandbox.credentialengineregistry.org/resources/>
DELETE WHERE { res:ce-feae3b40-fc85-44e8-b55c-8a37303dadd0 ceterms:agentType ?d }
