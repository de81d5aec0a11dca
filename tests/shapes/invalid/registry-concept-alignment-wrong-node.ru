# rule: an alignment object's targetNode comes from the property's scheme
# base: registry.ttl
# profile: registry
# expect: Violation ; ce-feffd318-45b9-4009-9f60-99d0fb8c48fe ; - ; ceterms:audienceLevelType ; sh:OrConstraintComponent
PREFIX ceterms: <https://purl.org/ctdl/terms/>
PREFIX ceasn: <https://purl.org/ctdlasn/terms/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX schema: <https://schema.org/>
PREFIX res: <https://sandbox.credentialengineregistry.org/resources/>
DELETE { ?a ceterms:targetNode ?n } INSERT { ?a ceterms:targetNode <https://purl.org/ctdl/vocabs/audLevel/BachelorDegreeLevel> } WHERE { res:ce-feffd318-45b9-4009-9f60-99d0fb8c48fe ceterms:audienceLevelType ?a . ?a ceterms:targetNode ?n }
